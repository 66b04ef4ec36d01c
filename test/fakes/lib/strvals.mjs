// Helm's user-supplied values: pkg/cli/values.Options.MergeValues and pkg/strvals, ported.
// Order is Helm's, not the command line's: every -f file (deep-merged), then --set-json, then
// --set, then --set-string, then --set-file, then --set-literal. The real `helm template` has
// already rejected malformed input, so this only has to agree on valid input.
import {readFileSync} from 'node:fs'
import {parseValuesYaml} from './common.mjs'

function isMap(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** pkg/cli/values mergeMaps: maps merge key by key, anything else replaces. */
export function mergeMaps(a, b) {
  const out = {...a}
  for (const [k, v] of Object.entries(b)) {
    if (isMap(v) && isMap(out[k])) out[k] = mergeMaps(out[k], v)
    else out[k] = v
  }
  return out
}

/** The user-supplied values of a Helm command line (the release's `config`). */
export function userValues({
  values = [],
  json = [],
  set = [],
  string = [],
  file = [],
  literal = [],
}) {
  let base = {}
  for (const path of values) {
    const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8')
    const doc = parseValuesYaml(text)
    base = mergeMaps(base, isMap(doc) ? doc : {})
  }
  for (const value of json) {
    const trimmed = value.trim()
    if (trimmed.startsWith('{')) base = mergeMaps(base, JSON.parse(trimmed))
    else new Parser(value, base, 'json').parse()
  }
  for (const value of set) new Parser(value, base, 'typed').parse()
  for (const value of string) new Parser(value, base, 'string').parse()
  for (const value of file) new Parser(value, base, 'file').parse()
  for (const value of literal) new Parser(value, base, 'literal').parse()
  return base
}

/** strvals.typedVal: true/false/null (any case), base-10 integers not starting with 0. */
function typedVal(text, asString) {
  if (asString) return text
  const lower = text.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  if (lower === 'null') return null
  if (text === '0') return 0
  if (text.length > 0 && text[0] !== '0' && /^[-+]?\d+$/.test(text)) {
    const n = Number(text)
    if (Number.isSafeInteger(n) || Math.abs(n) < 2 ** 63) return n
  }
  return text
}

class Parser {
  constructor(text, data, mode) {
    this.s = [...text]
    this.i = 0
    this.data = data
    this.mode = mode
  }

  reader(runes) {
    const text = runes.join('')
    if (this.mode === 'file') return readFileSync(text, 'utf8')
    return typedVal(text, this.mode === 'string' || this.mode === 'literal')
  }

  parse() {
    while (this.i < this.s.length) this.key(this.data)
  }

  /** Reads up to a stop rune; a backslash escapes the next rune. Returns [runes, stop|EOF]. */
  until(stops) {
    const v = []
    while (this.i < this.s.length) {
      const r = this.s[this.i++]
      if (stops.includes(r)) return [v, r]
      if (r === '\\' && this.i < this.s.length) v.push(this.s[this.i++])
      else v.push(r)
    }
    return [v, undefined]
  }

  key(data) {
    const [k, last] = this.until(['=', '[', ',', '.'])
    const name = k.join('')
    if (last === undefined) {
      if (k.length === 0) return
      throw new Error(`key "${name}" has no value`)
    }
    if (last === '[') {
      const index = this.index()
      const list = Array.isArray(data[name]) ? data[name] : []
      set(data, name, this.listItem(list, index))
      return
    }
    if (last === '=') {
      set(data, name, this.value())
      return
    }
    if (last === ',') {
      set(data, name, '')
      throw new Error(`key "${name}" has no value (cannot end with ,)`)
    }
    // '.': a nested map.
    const inner = isMap(data[name]) ? data[name] : {}
    this.key(inner)
    if (Object.keys(inner).length > 0) set(data, name, inner)
  }

  index() {
    const [v] = this.until([']'])
    return Number.parseInt(v.join(''), 10)
  }

  /** The value after '=' (the '=' is consumed). */
  value() {
    if (this.mode === 'literal') {
      const rest = this.s.slice(this.i).join('')
      this.i = this.s.length
      return rest
    }
    if (this.mode === 'json') {
      this.skipBlanks()
      if (this.i >= this.s.length || this.s[this.i] === ',') {
        if (this.s[this.i] === ',') this.i++
        return null
      }
      const rest = this.s.slice(this.i).join('')
      const [value, used] = decodeJsonPrefix(rest)
      this.i += [...rest.slice(0, used)].length
      this.skipBlanks()
      if (this.s[this.i] === ',') this.i++
      return value
    }
    if (this.s[this.i] === '{') {
      this.i++
      const list = []
      for (;;) {
        const [rs, last] = this.until([',', '}'])
        if (last === undefined) throw new Error("list must terminate with '}'")
        list.push(this.reader(rs))
        if (last === '}') {
          if (this.s[this.i] === ',') this.i++
          return list
        }
      }
    }
    if (this.i >= this.s.length) return ''
    const [rs] = this.until([','])
    return this.reader(rs)
  }

  skipBlanks() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++
  }

  listItem(list, index) {
    const [k, last] = this.until(['[', '.', '='])
    if (k.length > 0) throw new Error(`unexpected data at end of array index: "${k.join('')}"`)
    if (last === '=') return setIndex(list, index, this.value())
    if (last === '[') {
      const next = this.index()
      const current = Array.isArray(list[index]) ? list[index] : []
      return setIndex(list, index, this.listItem(current, next))
    }
    if (last === '.') {
      const inner = isMap(list[index]) ? list[index] : {}
      this.key(inner)
      return setIndex(list, index, inner)
    }
    throw new Error(`parse error: unexpected token ${last}`)
  }
}

function set(data, key, value) {
  if (key.length > 0) data[key] = value
}

function setIndex(list, index, value) {
  if (index < 0) throw new Error(`negative ${index} index not allowed`)
  const copy = [...list]
  while (copy.length <= index) copy.push(null)
  copy[index] = value
  return copy
}

/** Decodes the JSON value at the start of text (as json.Decoder does); [value, charsUsed]. */
function decodeJsonPrefix(text) {
  for (let end = text.length; end > 0; end--) {
    const candidate = text.slice(0, end)
    try {
      return [JSON.parse(candidate), end]
    } catch {
      // keep shortening until a prefix parses
    }
  }
  throw new Error(`invalid JSON value: ${text}`)
}
