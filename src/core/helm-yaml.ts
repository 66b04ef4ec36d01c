import {
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
  visit,
  type Node,
} from 'yaml'
import {emptyMap} from './plain-map.js'

/**
 * YAML as Helm reads a values file: sigs.k8s.io/yaml, i.e. go-yaml v2 (YAML 1.1) decoding into
 * interface{}, then JSON. So `yes/no/on/off/y/n` are booleans, `0755` is octal, `0x1F` and
 * `1_000` are integers, timestamps and `190:20:30` stay strings, a merge key overrides the keys
 * before it, map keys become strings (`yes:` is "true"), and `.inf`/`.nan` or a `null` key are
 * refused as Helm refuses them. Checked against the real helm by
 * test/integration/set-values-parity.test.ts.
 */
export class HelmYamlError extends Error {}

const TAG = 'tag:yaml.org,2002:'
const STR = `${TAG}str`
const BINARY = `${TAG}binary`
const RESOLVABLE = new Set(['', STR, `${TAG}bool`, `${TAG}int`, `${TAG}float`, `${TAG}null`])
const TIMESTAMP = `${TAG}timestamp`

type Resolved =
  | {tag: 'str'; value: string}
  | {tag: 'bool'; value: boolean}
  | {tag: 'null'; value: null}
  | {tag: 'int'; value: bigint}
  | {tag: 'float'; value: number}
  | {tag: 'merge'; value: string}

const RESOLVE_MAP = new Map<string, Resolved>()
for (const [value, words] of [
  [true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
] as const) {
  for (const word of words) RESOLVE_MAP.set(word, {tag: 'bool', value})
}
for (const word of ['', '~', 'null', 'Null', 'NULL'])
  RESOLVE_MAP.set(word, {tag: 'null', value: null})
for (const [value, words] of [
  [Number.NaN, ['.nan', '.NaN', '.NAN']],
  [Number.POSITIVE_INFINITY, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [Number.NEGATIVE_INFINITY, ['-.inf', '-.Inf', '-.INF']],
] as const) {
  for (const word of words) RESOLVE_MAP.set(word, {tag: 'float', value})
}
RESOLVE_MAP.set('<<', {tag: 'merge', value: '<<'})

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/
const INT64_MAX = (1n << 63n) - 1n
const UINT64_MAX = (1n << 64n) - 1n

/** go-yaml v2's resolve(): what a scalar is, given its (long) tag, '' for a plain one. */
function resolve(tag: string, text: string): Resolved {
  // go-yaml's hint from the first byte: which readings to try at all.
  const first = text === '' ? '' : text[0]!
  const hinted = text === '' || /[-+0-9yYnNtTfFoO~.]/.test(first)
  if (hinted && tag !== STR) {
    const known = RESOLVE_MAP.get(text)
    if (known) return known
    if (first === '.') {
      if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) {
        const value = Number(text)
        if (Number.isFinite(value)) return {tag: 'float', value}
      }
    } else if (/[-+0-9]/.test(first)) {
      const plain = text.replaceAll('_', '')
      const int = goParseInt(plain)
      if (int !== undefined) return {tag: 'int', value: int}
      if (YAML_STYLE_FLOAT.test(plain)) {
        const value = Number(plain)
        if (Number.isFinite(value)) return {tag: 'float', value}
      }
    }
  }
  return {tag: 'str', value: text}
}

/**
 * strconv.ParseInt(s, 0, 64), falling back to ParseUint(s, 0, 64) as go-yaml does: an optional
 * sign, then 0x/0o/0b or a leading 0 (octal) or decimal digits.
 */
function goParseInt(text: string): bigint | undefined {
  const match = /^([-+]?)(.*)$/s.exec(text)!
  const sign = match[1]!
  let digits = match[2]!
  let base = 10
  if (digits.startsWith('0')) {
    const prefix = digits.length >= 3 ? digits[1]!.toLowerCase() : ''
    if (prefix === 'b' || prefix === 'o' || prefix === 'x') {
      base = {b: 2, o: 8, x: 16}[prefix]
      digits = digits.slice(2)
    } else {
      base = 8
      digits = digits.slice(1)
      if (digits === '') return 0n
    }
  }
  const valid = {2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/}[base]!
  if (!valid.test(digits)) return undefined
  const prefix = {2: '0b', 8: '0o', 10: '', 16: '0x'}[base]!
  const magnitude = BigInt(`${prefix}${digits}`)
  if (sign === '-') return magnitude <= INT64_MAX + 1n ? -magnitude : undefined
  if (sign === '+') return magnitude <= INT64_MAX ? magnitude : undefined
  return magnitude <= UINT64_MAX ? magnitude : undefined
}

/** Helm's view of one scalar node: a JSON value, or a map key string. */
function scalarValue(node: Scalar): Resolved {
  const text = node.source ?? String(node.value ?? '')
  const explicit = node.tag ?? ''
  if (explicit === '') {
    return node.type === Scalar.PLAIN ? resolve('', text) : {tag: 'str', value: text}
  }
  if (explicit === BINARY) return {tag: 'str', value: decodeBase64(text)}
  if (explicit === TIMESTAMP) {
    if (
      !/^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[-+]\d{2}:\d{2})?)?$/.test(
        text,
      )
    )
      throw new HelmYamlError(`cannot decode !!str \`${text}\` as a !!timestamp`)
    return {tag: 'str', value: text}
  }
  if (!RESOLVABLE.has(explicit)) return {tag: 'str', value: text}
  const resolved = resolve(explicit, text)
  const wanted = explicit.slice(TAG.length)
  if (resolved.tag === wanted) return resolved
  if (wanted === 'float' && resolved.tag === 'int')
    return {tag: 'float', value: Number(resolved.value)}
  throw new HelmYamlError(`cannot decode !!${resolved.tag} \`${text}\` as a !!${wanted}`)
}

/** Go's base64.StdEncoding (padding required; newlines ignored), then bytes as a JSON string. */
function decodeBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, '')
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(={0,2})$/.test(compact))
    throw new HelmYamlError('!!binary value contains invalid base64 data')
  return new TextDecoder('utf-8').decode(Buffer.from(compact, 'base64'))
}

/** A resolved scalar as a JSON value (Helm converts every number to float64). */
function jsonValue(resolved: Resolved): unknown {
  switch (resolved.tag) {
    case 'int':
      return Number(resolved.value)
    case 'float':
      if (!Number.isFinite(resolved.value))
        throw new HelmYamlError(`json: unsupported value: ${goFloatName(resolved.value)}`)
      return resolved.value
    default:
      return resolved.value
  }
}

function goFloatName(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  return value > 0 ? '+Inf' : '-Inf'
}

/** sigs.k8s.io/yaml's key conversion: ints exactly, floats as float32 %g, booleans as words. */
function jsonKey(resolved: Resolved): string {
  switch (resolved.tag) {
    case 'int':
      return resolved.value.toString()
    case 'float':
      return formatFloat32(resolved.value)
    case 'bool':
      return String(resolved.value)
    case 'null':
      throw new HelmYamlError('unsupported map key of type: <nil> (a null key)')
    default:
      return resolved.value
  }
}

/** strconv.FormatFloat(f, 'g', -1, 32), with sigs.k8s.io/yaml's names for Inf and NaN. */
export function formatFloat32(value: number): string {
  const f = Math.fround(value)
  if (Number.isNaN(f)) return '.nan'
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf'
  if (f === 0) return Object.is(f, -0) ? '-0' : '0'
  const sign = f < 0 ? '-' : ''
  const abs = Math.abs(f)
  let exponential = abs.toExponential(8)
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = abs.toExponential(precision - 1)
    if (Math.fround(Number(candidate)) === abs) {
      exponential = candidate
      break
    }
  }
  const [mantissa, exp] = exponential.split('e') as [string, string]
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0'
  const exponent = Number(exp)
  if (exponent < -4 || exponent >= 6) {
    const tail = digits.length > 1 ? `.${digits.slice(1)}` : ''
    const magnitude = String(Math.abs(exponent)).padStart(2, '0')
    return `${sign}${digits[0]}${tail}e${exponent < 0 ? '-' : '+'}${magnitude}`
  }
  const point = exponent + 1
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

const MAX_DECODED_NODES = 1_000_000

class Decoder {
  private decoded = 0
  private readonly active = new Set<Node>()

  constructor(private readonly doc: Document.Parsed) {}

  value(node: unknown): unknown {
    if (node === null || node === undefined) return null
    if (++this.decoded > MAX_DECODED_NODES)
      throw new HelmYamlError('document contains excessive aliasing')
    if (isAlias(node)) return this.value(this.target(node))
    if (isScalar(node)) return jsonValue(scalarValue(node))
    if (this.active.has(node as Node)) throw new HelmYamlError('anchor value contains itself')
    this.active.add(node as Node)
    try {
      if (isMap(node)) return this.mapping(node, emptyMap())
      if (isSeq(node)) return node.items.map((item) => this.value(item))
    } finally {
      this.active.delete(node as Node)
    }
    throw new HelmYamlError('unsupported YAML node')
  }

  private target(node: unknown): unknown {
    if (!isAlias(node)) return node
    const target = node.resolve(this.doc)
    if (!target) throw new HelmYamlError(`unknown anchor '${node.source}' referenced`)
    return target
  }

  /** go-yaml v2's mapping(): later keys win, a merge key sets its map's keys where it stands. */
  private mapping(node: unknown, out: Record<string, unknown>): Record<string, unknown> {
    if (!isMap(node)) throw new HelmYamlError('map merge requires map or sequence of maps')
    for (const pair of node.items) {
      const key = this.target(pair.key)
      if (isScalar(key) && key.type === Scalar.PLAIN && key.source === '<<' && !key.tag) {
        this.merge(pair.value, out)
        continue
      }
      out[this.key(key)] = this.value(pair.value)
    }
    return out
  }

  private merge(node: unknown, out: Record<string, unknown>): void {
    const source = this.target(node)
    if (this.active.has(source as Node)) throw new HelmYamlError('anchor value contains itself')
    if (isSeq(source) && !isAlias(node)) {
      // Earlier maps take precedence: they are applied last.
      for (const item of [...source.items].reverse()) this.mapping(this.target(item), out)
      return
    }
    this.mapping(source, out)
  }

  private key(node: unknown): string {
    if (node === null || node === undefined)
      throw new HelmYamlError('unsupported map key of type: <nil> (a null key)')
    if (isScalar(node)) return jsonKey(scalarValue(node))
    throw new HelmYamlError('invalid map key: a list or map cannot be a key')
  }
}

/**
 * Parses a values file as Helm does. Several non-empty documents are refused: Helm 3 reads only
 * the first and Helm 4 merges them, so no single reading is right for both.
 */
export function parseHelmYaml(text: string): unknown {
  const docs = parseAllDocuments(text, {
    version: '1.1',
    schema: 'failsafe',
    merge: false,
    uniqueKeys: false,
  })
  if (!Array.isArray(docs)) return null
  for (const doc of docs) {
    const error = doc.errors[0]
    if (error) throw new HelmYamlError(error.message.split('\n')[0]!)
    if (doc.directives.yaml.explicit && doc.directives.yaml.version !== '1.1')
      throw new HelmYamlError('found incompatible YAML document (only %YAML 1.1 is read)')
  }
  const values = docs.map((doc) => new Decoder(doc).value(doc.contents))
  if (values.slice(1).some((value) => value !== null))
    throw new HelmYamlError(
      'it holds several YAML documents (Helm 3 reads only the first, Helm 4 merges them); keep one',
    )
  return values[0] ?? null
}

/** Would Helm read this text, written plain, as something other than this very string? */
function needsQuotes(text: string): boolean {
  // A plain `<<` key is a merge key.
  return text === '<<' || resolve('', text).tag !== 'str'
}

/**
 * Values as YAML that Helm reads back unchanged: every string (value or key) that YAML 1.1
 * would read as a boolean, null or number (`yes`, `on`, `0755`, `1_000`, `y`) is quoted.
 */
export function stringifyHelmYaml(values: unknown): string {
  // The YAML 1.2 core schema writes it; what YAML 1.1 would read differently is quoted here.
  const doc = new Document(values)
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsQuotes(node.value)) node.type = Scalar.QUOTE_DOUBLE
    },
  })
  return doc.toString({lineWidth: 0})
}
