import {UsageError} from './errors.js'
import {emptyMap} from './plain-map.js'

export type Values = {[key: string]: unknown}

/**
 * `--set` exactly as Helm's strvals parser reads it (helm/helm pkg/strvals/parser.go, checked
 * against the real helm by test/integration/set-values-parity.test.ts): `a.b=c`, pairs separated
 * by commas, `\` escaping the next character (`\,` `\.` `\=` `\[`), list indices `a[0].b=c` (at
 * most 65536, as Helm), lists `a={x,y}` (`{}` is [""]), nesting at most 30 deep, and Helm's
 * typing: true/false/null in any case, `0` and base-10 int64 not starting with 0 are numbers,
 * everything else (`007`, `+5` is 5 but `1e3`, `0x10` are strings) stays a string. Maps have no
 * prototype, so `__proto__`, `constructor` and `prototype` are plain keys.
 */
export function parseSet(argument: string): Values {
  return parseSets([argument])
}

export interface SetOptions {
  /** `--set-string`: every value is a string. */
  strings?: boolean
}

/**
 * Several `--set` arguments, each parsed into the result of the ones before as Helm does
 * (`--set a[0]=x --set a[2]=y` is [x, null, y]), over `base` (the merged -f files: Helm parses
 * --set into them, so `a[1]=x` changes one item of a list from a file). `base` is not changed.
 */
export function parseSets(
  argumentsList: string[],
  base: Values = {},
  options: SetOptions = {},
): Values {
  const data = cloneValues(base) as Values
  for (const argument of argumentsList) {
    try {
      new SetParser(argument, data, options.strings ?? false).parse()
    } catch (error) {
      if (error instanceof SetFailure) throw badSet(argument, error.message)
      throw error
    }
  }
  return data
}

/**
 * The --set layer as a values file layered over `base` (Helm merges files: maps key by key,
 * anything else replaced): the keys --set names, each with its value after Helm's --set over
 * `base`, so `base` then this layer is exactly `helm -f … --set …`. Helm's conflicts (a key set
 * both as a map and as a value) are refused here as Helm refuses them.
 */
export function setLayerValues(base: Values, sets: string[], options: SetOptions = {}): Values {
  const full = parseSets(sets, base, options)
  const named = parseSets(sets, {}, options)
  return project(named, full) as Values
}

function project(named: unknown, full: unknown): unknown {
  if (!isMap(named) || !isMap(full)) return full
  const out = emptyMap()
  for (const key of Object.keys(named)) {
    if (Object.hasOwn(full, key)) out[key] = project(named[key], full[key])
  }
  return out
}

/** A deep copy with prototype-less maps. */
export function cloneValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValues)
  if (!isMap(value)) return value
  const out = emptyMap()
  for (const [key, item] of Object.entries(value)) out[key] = cloneValues(item)
  return out
}

/**
 * How an argument is shown: every value replaced by `***` (a --set value may be an API key),
 * keys kept; a part without `=` is shown as `…`.
 */
export function redactSetArgument(argument: string): string {
  const chars = Array.from(argument)
  let out = ''
  let key = ''
  // A part without `=` may be a value typed without its key: it is never shown.
  const flushKey = () => {
    out += key === '' ? '' : '…'
    key = ''
  }
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!
    if (char === '\\') {
      key += char + (chars[i + 1] ?? '')
      i++
    } else if (char === ',') {
      flushKey()
      out += ','
    } else if (char === '=') {
      out += `${key}=***`
      key = ''
      i = skipValue(chars, i + 1)
    } else {
      key += char
    }
  }
  flushKey()
  return out
}

/** Index of the `,` ending the value starting at `start` (Helm's val and valList), or the end. */
function skipValue(chars: string[], start: number): number {
  let i = start
  if (chars[i] === '{') {
    while (i < chars.length && chars[i] !== '}') i += chars[i] === '\\' ? 2 : 1
    return i
  }
  while (i < chars.length && chars[i] !== ',') i += chars[i] === '\\' ? 2 : 1
  return i - 1
}

function badSet(argument: string, why: string): UsageError {
  return new UsageError(
    `bad --set "${redactSetArgument(argument)}": ${why}`,
    'use --set key.path=value (see `helm install --help`)',
  )
}

/** Helm's merge of values files: maps merge recursively, anything else is replaced. */
export function mergeValues(base: Values, override: Values): Values {
  const merged = emptyMap()
  for (const [key, value] of Object.entries(base)) merged[key] = value
  for (const [key, value] of Object.entries(override)) {
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined
    merged[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value
  }
  return merged
}

export function isMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Helm's strvals.MaxIndex and MaxNestedNameLevel. */
const MAX_INDEX = 65536
const MAX_NESTED_NAME_LEVEL = 30

/** A parse error in Helm's words (its key names only: values are never quoted). */
class SetFailure extends Error {}
/** Go's io.EOF: the end of the argument, which ends parsing without an error. */
const EOF = Symbol('EOF')
/** valList's ErrNotList: the value is not a `{…}` list. */
const NOT_LIST = Symbol('not a list')
type Outcome = undefined | typeof EOF

const KEY_STOP = new Set(['=', '[', ',', '.'])
const INDEX_STOP = new Set([']'])
const ITEM_STOP = new Set(['[', '.', '='])
const VALUE_STOP = new Set([','])
const LIST_STOP = new Set([',', '}'])

/**
 * A line-by-line port of Helm's strvals parser (newParser, not the JSON or file parsers).
 * Go's returned errors are exceptions here, except io.EOF, which Helm treats as success and
 * which is returned as EOF; a Go type-assertion panic (a key used as both a map and a value)
 * is a SetFailure.
 */
class SetParser {
  private readonly chars: string[]
  private pos = 0

  constructor(
    argument: string,
    private readonly data: Values,
    private readonly strings: boolean,
  ) {
    this.chars = Array.from(argument)
  }

  parse(): void {
    while (this.key(this.data, 0) !== EOF) {
      // Next pair.
    }
  }

  private readRune(): string | undefined {
    return this.chars[this.pos++]
  }

  private unreadRune(): void {
    this.pos--
  }

  /** Go's runesUntil: text up to a stop rune (backslash escapes one), or EOF. */
  private runesUntil(stop: Set<string>): {text: string; last?: string; eof: boolean} {
    let text = ''
    for (;;) {
      const char = this.readRune()
      if (char === undefined) return {text, eof: true}
      if (stop.has(char)) return {text, last: char, eof: false}
      if (char === '\\') {
        const next = this.readRune()
        if (next === undefined) return {text, eof: true}
        text += next
      } else {
        text += char
      }
    }
  }

  private key(data: Values, level: number): Outcome {
    const {text: k, last, eof} = this.runesUntil(KEY_STOP)
    if (eof) {
      if (k === '') return EOF
      // Helm: key "k" has no value. Not quoted: without `=` it may be a value.
      throw new SetFailure('a key has no value (no "=")')
    }
    switch (last) {
      case '[': {
        const index = this.keyIndex()
        const list = Object.hasOwn(data, k) ? asList(data[k], k) : []
        const [items, outcome] = this.listItem(list, index, level, k)
        set(data, k, items)
        return outcome
      }
      case '=': {
        const list = this.valList()
        if (list === EOF) {
          set(data, k, '')
          return EOF
        }
        if (list === NOT_LIST) {
          set(data, k, this.typed(this.val()))
          return undefined
        }
        set(data, k, list)
        return undefined
      }
      case ',':
        set(data, k, '')
        throw new SetFailure('a key has no value (no "=" before ",")')
      default: {
        // '.': a nested map.
        if (level + 1 > MAX_NESTED_NAME_LEVEL)
          throw new SetFailure(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          )
        const inner = Object.hasOwn(data, k) ? asMap(data[k], k) : emptyMap()
        const outcome = this.key(inner, level + 1)
        const filled = Object.keys(inner).length > 0
        if (outcome === undefined && !filled) throw new SetFailure(`key map "${k}" has no value`)
        if (filled) set(data, k, inner)
        return outcome
      }
    }
  }

  /**
   * The index inside `[…]`, as strconv.Atoi reads it. A missing `]` is refused: Helm 3 refuses
   * it, Helm 4 ignores the whole pair.
   */
  private keyIndex(): number {
    const {text, eof} = this.runesUntil(INDEX_STOP)
    if (eof) throw new SetFailure('error parsing index: a list index has no closing "]"')
    if (!/^[-+]?[0-9]+$/.test(text))
      throw new SetFailure('error parsing index: a list index is not an integer')
    const value = BigInt(text)
    if (value > (1n << 63n) - 1n || value < -(1n << 63n))
      throw new SetFailure('error parsing index: a list index is out of range')
    return Number(value)
  }

  private listItem(
    list: unknown[],
    index: number,
    level: number,
    name: string,
  ): [unknown[], Outcome] {
    if (index < 0) throw new SetFailure(`negative ${index} index not allowed`)
    const {text, last, eof} = this.runesUntil(ITEM_STOP)
    if (text.length > 0) throw new SetFailure('unexpected data at end of array index')
    if (eof) return [list, EOF]
    switch (last) {
      case '=': {
        const values = this.valList()
        if (values === EOF) return [setIndex(list, index, ''), undefined]
        if (values === NOT_LIST) return [setIndex(list, index, this.typed(this.val())), undefined]
        return [setIndex(list, index, values), undefined]
      }
      case '[': {
        const next = this.keyIndex()
        const existing = list.length > index ? list[index] : undefined
        const current =
          existing === undefined || existing === null ? [] : asList(existing, `${name}[${index}]`)
        const [inner, outcome] = this.listItem(current, next, level, `${name}[${index}]`)
        if (outcome === EOF) return [list, EOF]
        return [setIndex(list, index, inner), undefined]
      }
      default: {
        // '.': a map inside the list.
        let inner = emptyMap()
        if (list.length > index) {
          const existing = list[index]
          if (isMap(existing)) inner = existing
          else list[index] = inner
        }
        const outcome = this.key(inner, level)
        if (outcome === EOF) return [list, EOF]
        return [setIndex(list, index, inner), undefined]
      }
    }
  }

  /** A `{a,b}` list; NOT_LIST when the value does not start with `{`; EOF at the end. */
  private valList(): unknown[] | typeof EOF | typeof NOT_LIST {
    const first = this.readRune()
    if (first === undefined) return EOF
    if (first !== '{') {
      this.unreadRune()
      return NOT_LIST
    }
    const list: unknown[] = []
    for (;;) {
      const {text, last, eof} = this.runesUntil(LIST_STOP)
      if (eof) throw new SetFailure("list must terminate with '}'")
      list.push(this.typed(text))
      if (last === '}') {
        // A ',' after the list is consumed; anything else starts the next key.
        const next = this.readRune()
        if (next !== undefined && next !== ',') this.unreadRune()
        return list
      }
    }
  }

  private val(): string {
    return this.runesUntil(VALUE_STOP).text
  }

  /** Helm's typedVal. */
  private typed(text: string): unknown {
    if (this.strings) return text
    if (equalFold(text, 'true')) return true
    if (equalFold(text, 'false')) return false
    if (equalFold(text, 'null')) return null
    if (text === '0') return 0
    // strconv.ParseInt(val, 10, 64), only for values not starting with 0.
    if (text !== '' && text[0] !== '0' && /^[-+]?[0-9]+$/.test(text)) {
      const value = BigInt(text)
      if (value <= (1n << 63n) - 1n && value >= -(1n << 63n)) return Number(value)
    }
    return text
  }
}

function set(data: Values, key: string, value: unknown): void {
  if (key !== '') data[key] = value
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new SetFailure(`negative ${index} index not allowed`)
  if (index > MAX_INDEX)
    throw new SetFailure(
      `index of ${index} is greater than maximum supported index of ${MAX_INDEX}`,
    )
  while (list.length <= index) list.push(null)
  list[index] = value
  return list
}

/** Go's data[k].([]interface{}): Helm fails when a key holds something else. */
function asList(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value
  throw new SetFailure(`unable to parse key: "${key}" is ${kindOf(value)}, not a list`)
}

/** Go's data[k].(map[string]interface{}). */
function asMap(value: unknown, key: string): Values {
  if (isMap(value)) return value
  throw new SetFailure(`unable to parse key: "${key}" is ${kindOf(value)}, not a map`)
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (isMap(value)) return 'a map'
  return `a ${typeof value}`
}

/** strings.EqualFold against an ASCII word (Unicode simple folding: ſ is s, K is k). */
function equalFold(text: string, word: string): boolean {
  const chars = Array.from(text)
  if (chars.length !== word.length) return false
  return chars.every((char, i) => {
    const want = word[i]!
    const lower = char === 'ſ' ? 's' : char === '\u212a' ? 'k' : char.toLowerCase()
    return lower === want
  })
}
