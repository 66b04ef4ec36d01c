/**
 * Compose files' YAML as Docker Compose v2 reads it (go-yaml v3 under compose-go), with the
 * limits a file from anywhere needs: each mapping's duplicate keys found in one pass (the
 * yaml package's own check compares every key with every other one), aliases expanded up to
 * a bound, anchors looked up in a table. Pure; checked against `docker compose config` by
 * test/integration/compose-config.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  type Document,
  type Node,
} from 'yaml'
import {UserError} from './errors.js'
import {emptyMap} from './plain-map.js'

/** One YAML document of a Compose file; a file may hold several, merged in order. */
export interface ComposeYamlDocument {
  /** The document's value: strings, numbers (bigint past 2^53), booleans, null, lists, maps. */
  content: unknown
  /**
   * Where `!reset` or `!override` stood (`services.db.ports`): what the earlier files set
   * there is dropped before this document is merged over them.
   */
  resets: string[]
}

const YAML_HINT = 'Fix the YAML of the Compose file'

/** Values reached through aliases, at most: an alias bomb stops here, not at billions. */
export const MAX_ALIASED_VALUES = 1_000_000

/** A Compose file's documents, or a one-line UserError naming `path` (and the line). */
export function parseComposeYaml(path: string, text: string): ComposeYamlDocument[] {
  const lines = new LineCounter()
  const parsed = parseAllDocuments(text, {
    schema: 'failsafe',
    merge: false,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter: lines,
  })
  const documents = Array.isArray(parsed) ? parsed : []
  for (const document of documents) {
    const error = document.errors[0]
    if (error) {
      const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')
      throw new UserError(`${path} line ${lines.linePos(error.pos[0]).line}: ${reason}`, YAML_HINT)
    }
  }
  return documents.map((document) => new Decoder(document, path, lines).document())
}

/** go-yaml v3's layouts: a date, a date and time with a zone after `T`, or without one after a space. */
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[-+]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)?$/
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n
const CORE_TAG = 'tag:yaml.org,2002:'

class Decoder {
  private readonly anchors = new Map<string, Node>()
  private readonly active = new Set<Node>()
  private readonly resets: string[] = []
  /** Inside an alias: its anchors are the original's, not new definitions. */
  private aliasDepth = 0
  private aliased = 0

  constructor(
    private readonly doc: Document.Parsed,
    private readonly path: string,
    private readonly lines: LineCounter,
  ) {}

  document(): ComposeYamlDocument {
    const content = this.value(this.doc.contents, '', true)
    return {content: content === RESET ? null : content, resets: this.resets}
  }

  /** `tags`: false under `!override`, where Compose looks at no further tag. */
  private value(node: unknown, at: string, tags: boolean): unknown {
    if (node === null || node === undefined) return null
    if (this.aliasDepth > 0 && ++this.aliased > MAX_ALIASED_VALUES) {
      throw this.fail(
        node,
        `its aliases expand to more than ${MAX_ALIASED_VALUES} values`,
        'A Compose file with that many aliases is a resource-exhaustion attack, not a stack: check where it came from',
      )
    }
    if (isAlias(node)) return this.alias(node, at, tags)
    const yamlNode = node as Node
    if (this.aliasDepth === 0 && yamlNode.anchor) this.anchors.set(yamlNode.anchor, yamlNode)
    if (tags && (yamlNode.tag === '!reset' || yamlNode.tag === '!override')) {
      this.resets.push(at)
      if (yamlNode.tag === '!reset') return RESET
      tags = false
    }
    if (isScalar(node)) return this.scalar(node)
    if (this.active.has(yamlNode)) throw this.fail(node, 'an anchor contains an alias of itself')
    this.active.add(yamlNode)
    try {
      if (isMap(node)) return this.mapping(node, at, tags)
      if (isSeq(node)) {
        const items: unknown[] = []
        for (const [index, item] of node.items.entries()) {
          const value = this.value(item, join(at, String(index)), tags)
          if (value !== RESET) items.push(value)
        }
        return items
      }
    } finally {
      this.active.delete(yamlNode)
    }
    throw this.fail(node, 'unsupported YAML node')
  }

  private alias(node: Node & {source: string}, at: string, tags: boolean): unknown {
    const target = this.anchors.get(node.source)
    if (!target) throw this.fail(node, `unknown anchor '${node.source}' referenced`)
    if (this.active.has(target)) throw this.fail(node, 'an anchor contains an alias of itself')
    this.aliasDepth++
    try {
      return this.value(target, at, tags)
    } finally {
      this.aliasDepth--
    }
  }

  /** go-yaml v3 into map[string]any: keys once each, merge keys (`<<`) under the own keys. */
  private mapping(node: Extract<Node, {items: unknown[]}>, at: string, tags: boolean): unknown {
    const out = emptyMap()
    const seen = new Map<string, Node>()
    let merge: unknown
    for (const pair of (node as {items: Array<{key: unknown; value: unknown}>}).items) {
      const key = pair.key as Node | null
      const keyId = isScalar(key) ? `scalar:${scalarSource(key)}` : `node:${kindOf(key)}`
      const earlier = seen.get(keyId)
      if (earlier && key) {
        throw this.fail(
          key,
          `mapping key ${JSON.stringify(isScalar(key) ? scalarSource(key) : '')} already defined at line ${this.line(earlier)}`,
        )
      }
      if (key) seen.set(keyId, key)
      if (isScalar(key) && key.type === Scalar.PLAIN && !key.tag && scalarSource(key) === '<<') {
        merge = pair.value
        continue
      }
      const name = this.key(key, at)
      // Compose replaces the path's `.<<` when it records a reset through a merge.
      const value = this.value(pair.value, join(at, name), tags)
      if (value !== RESET) out[name] = value
    }
    if (merge !== undefined) this.merge(merge, out, at, tags)
    return out
  }

  /** The merged maps fill only keys still unset, the first map of a list first. */
  private merge(node: unknown, out: Record<string, unknown>, at: string, tags: boolean): void {
    const target = isAlias(node) ? this.anchors.get(node.source) : node
    const sources = isSeq(target) && !isAlias(node) ? target.items : [node]
    for (const source of sources) {
      const resolved = isAlias(source) ? this.anchors.get(source.source) : source
      if (!isMap(resolved)) {
        throw this.fail(
          (source ?? node) as Node,
          'map merge requires map or sequence of maps as the value',
        )
      }
      const merged = this.value(source, at, tags) as Record<string, unknown>
      for (const [key, value] of Object.entries(merged)) {
        if (!Object.hasOwn(out, key)) out[key] = value
      }
    }
  }

  /** A key must be a string to Compose: `1:`, `true:` or a date are refused, as it refuses them. */
  private key(node: Node | null, at: string): string {
    const target = isAlias(node) ? this.anchors.get(node.source) : node
    if (isScalar(target)) {
      const resolved = this.resolved(target)
      if (resolved.tag === 'str') return resolved.value as string
    }
    const value = node === null ? null : this.value(node, at, false)
    const where = at ? `in ${at}` : 'at top level'
    throw new UserError(
      `${this.path}: non-string key ${where}: ${String(value)}`,
      'Quote the key, e.g. "8080": …',
    )
  }

  /** go-yaml v3's resolve(): a plain scalar may be a bool, null, int, float or timestamp. */
  private scalar(node: Scalar): unknown {
    const resolved = this.resolved(node)
    if (resolved.tag === 'float' && !Number.isFinite(Number(resolved.value))) {
      throw this.fail(node, `json: unsupported value: ${scalarSource(node)}`)
    }
    return resolved.value
  }

  private resolved(node: Scalar): Resolved {
    const text = scalarSource(node)
    const tag = node.tag ?? ''
    const string: Resolved = {tag: 'str', value: text}
    if (node.type !== Scalar.PLAIN && tag === '') return string
    if (tag === `${CORE_TAG}str` || tag === '!') return string
    if (tag === `${CORE_TAG}binary`)
      return {tag: 'str', value: Buffer.from(text, 'base64').toString('utf8')}
    // An application tag (`!reset` on a scalar under `!override`, `!foo`) leaves a string.
    if (tag !== '' && !tag.startsWith(CORE_TAG)) return string
    const resolved = resolvePlain(text)
    const wanted = tag.slice(CORE_TAG.length)
    if (
      wanted !== '' &&
      wanted !== resolved.tag &&
      !(wanted === 'float' && resolved.tag === 'int')
    ) {
      throw this.fail(node, `cannot decode !!${resolved.tag} \`${text}\` as a !!${wanted}`)
    }
    return resolved
  }

  private line(node: Node): number {
    return this.lines.linePos(node.range?.[0] ?? 0).line
  }

  private fail(node: unknown, reason: string, hint = YAML_HINT): UserError {
    const where = (node as Node | undefined)?.range ? ` line ${this.line(node as Node)}` : ''
    return new UserError(`${this.path}${where}: ${reason}`, hint)
  }
}

/** What a `!reset` leaves: nothing, in its map or list. */
const RESET = Symbol('reset')

function join(at: string, key: string): string {
  // compose-go's tree.Path drops the `<<` of a merge from the path.
  if (key === '<<') return at
  return at ? `${at}.${key}` : key
}

function kindOf(node: Node | null): string {
  if (node === null) return 'null'
  if (isMap(node)) return 'map'
  if (isSeq(node)) return 'seq'
  return isAlias(node) ? `alias:${node.source}` : 'scalar'
}

function scalarSource(node: Scalar): string {
  return node.source ?? String(node.value ?? '')
}

type Resolved = {tag: 'str' | 'bool' | 'null' | 'int' | 'float' | 'timestamp'; value: unknown}

const WORDS = new Map<string, Resolved>()
for (const word of ['true', 'True', 'TRUE']) WORDS.set(word, {tag: 'bool', value: true})
for (const word of ['false', 'False', 'FALSE']) WORDS.set(word, {tag: 'bool', value: false})
for (const word of ['', '~', 'null', 'Null', 'NULL']) WORDS.set(word, {tag: 'null', value: null})
for (const word of ['.nan', '.NaN', '.NAN']) WORDS.set(word, {tag: 'float', value: Number.NaN})
for (const word of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) {
  WORDS.set(word, {tag: 'float', value: Number.POSITIVE_INFINITY})
}
for (const word of ['-.inf', '-.Inf', '-.INF']) {
  WORDS.set(word, {tag: 'float', value: Number.NEGATIVE_INFINITY})
}

/**
 * A plain scalar as go-yaml v3 reads it: `0755` and `0o755` octal, `0x1F`, `0b101`, `1_000`,
 * `yes`/`on` stay strings. A float becomes the text Go prints for it (fmt's %v), which is
 * what Compose makes of it, and a timestamp Go's time.Time text.
 */
export function resolvePlain(text: string): Resolved {
  const known = WORDS.get(text)
  if (known) return known
  const first = text[0] ?? ''
  if (first === '.') {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)
      ? {tag: 'float', value: goFloat(Number(text))}
      : {tag: 'str', value: text}
  }
  if (!/[-+0-9]/.test(first)) return {tag: 'str', value: text}
  const timestamp = goTimestamp(text)
  if (timestamp !== undefined) return {tag: 'timestamp', value: timestamp}
  const plain = text.replaceAll('_', '')
  const int = goParseInt(plain)
  if (int !== undefined) {
    return {tag: 'int', value: Number.isSafeInteger(Number(int)) ? Number(int) : int}
  }
  if (YAML_STYLE_FLOAT.test(plain)) return {tag: 'float', value: goFloat(Number(plain))}
  return {tag: 'str', value: text}
}

/** strconv.ParseInt(s, 0, 64), else ParseUint(s, 0, 64); the `_` are already gone. */
function goParseInt(text: string): bigint | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text)
  if (!match) return undefined
  const [, sign = '', digits = ''] = match
  const prefixed = /^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits.toLowerCase()
  const magnitude = BigInt(prefixed)
  const value = sign === '-' ? -magnitude : magnitude
  if (value < INT64_MIN) return undefined
  return sign === ''
    ? value <= UINT64_MAX
      ? value
      : undefined
    : value < 2n ** 63n
      ? value
      : undefined
}

/** Go's %v of a float64: the shortest digits, in e-notation below 1e-4 or from 1e6 up. */
export function goFloat(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return String(value)
}

/** A timestamp as go-yaml v3 finds one, printed as Go's time.Time.String() prints it. */
function goTimestamp(text: string): string | undefined {
  const match = TIMESTAMP.exec(text)
  if (!match) return undefined
  const [, year = '', month = '', day = '', ...rest] = match
  // Either the `T` form's four groups (with a zone) or the space form's three.
  const [hour, minute, second, fraction, zone] =
    rest[0] === undefined ? [rest[5], rest[6], rest[7], rest[8], undefined] : rest
  const [y, mo, d] = [Number(year), Number(month), Number(day)]
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return undefined
  if (hour === undefined) return `${year}-${pad(mo)}-${pad(d)} 00:00:00 +0000 UTC`
  const [h, mi, s] = [Number(hour), Number(minute), Number(second)]
  if (h > 23 || mi > 59 || s > 59) return undefined
  const frac = (fraction ?? '').replace(/0+$/, '')
  const clock = `${pad(h)}:${pad(mi)}:${pad(s)}${frac ? `.${frac}` : ''}`
  const offset = zoneOffset(zone)
  if (offset === undefined) return undefined
  // Go names a zero offset UTC; any other is a zone it makes up, named by the offset.
  const zoneText = offset === '+0000' ? '+0000 UTC' : `${offset} ${offset}`
  return `${year}-${pad(mo)}-${pad(d)} ${clock} ${zoneText}`
}

function zoneOffset(zone: string | undefined): string | undefined {
  if (zone === undefined || zone === 'Z') return '+0000'
  const [hours = '', minutes = ''] = zone.slice(1).split(':')
  if (Number(hours) > 23 || Number(minutes) > 59) return undefined
  const offset = `${zone[0]}${hours}${minutes}`
  return offset === '-0000' ? '+0000' : offset
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}
