import {UsageError} from './errors.js'

export type Values = {[key: string]: unknown}

/**
 * Parses one `--set` argument the way Helm does, for the forms people use:
 * `a.b=c`, several pairs separated by commas (`\,` escapes one), list indices `a[0].b=c`,
 * lists `a={x,y}`, and Helm's type inference (true/false, null, integers). geniro-dev turns
 * --set into a values file itself, so what it compares with the release is exactly this.
 */
export function parseSet(argument: string): Values {
  const result: Values = {}
  for (const pair of splitUnescaped(argument, ',', true)) {
    const eq = indexOfUnescaped(pair, '=')
    if (eq <= 0) throw badSet(argument, `"${pair}" is not KEY=VALUE`)
    const path = parseKeyPath(pair.slice(0, eq), argument)
    assign(result, path, parseValue(pair.slice(eq + 1)), argument)
  }
  return result
}

type PathPart = string | number

function parseKeyPath(key: string, argument: string): PathPart[] {
  const parts: PathPart[] = []
  for (const segment of splitUnescaped(key, '.', false)) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment)
    if (!match) throw badSet(argument, `"${key}" is not a valid key`)
    parts.push(unescape(match[1]!))
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]))
  }
  return parts
}

function parseValue(raw: string): unknown {
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1)
    return inner === ''
      ? []
      : splitUnescaped(inner, ',', false).map((item) => typed(unescape(item)))
  }
  return typed(unescape(raw))
}

/** Helm's inference: booleans, null and 64-bit integers; anything else stays a string. */
function typed(text: string): unknown {
  if (text === 'true') return true
  if (text === 'false') return false
  if (text === 'null') return null
  if (/^-?(0|[1-9]\d{0,17})$/.test(text)) return Number(text)
  return text
}

function assign(target: Values, path: PathPart[], value: unknown, argument: string): void {
  let node: Values | unknown[] = target
  path.forEach((part, i) => {
    const last = i === path.length - 1
    const next = path[i + 1]
    if (Array.isArray(node) !== (typeof part === 'number')) {
      throw badSet(argument, 'a key is used both as a list and as a map')
    }
    const container = node as Record<string | number, unknown>
    if (last) {
      container[part] = value
      return
    }
    if (container[part] === undefined || container[part] === null) {
      container[part] = typeof next === 'number' ? [] : {}
    }
    node = container[part] as Values | unknown[]
  })
}

/** Splits on `separator` outside `{…}` (lists) and not preceded by a backslash. */
function splitUnescaped(text: string, separator: string, respectBraces: boolean): string[] {
  const parts: string[] = []
  let current = ''
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1]
      i++
      continue
    }
    if (respectBraces && char === '{') depth++
    if (respectBraces && char === '}') depth--
    if (char === separator && depth === 0) {
      parts.push(current)
      current = ''
      continue
    }
    current += char
  }
  parts.push(current)
  return parts
}

function indexOfUnescaped(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === char) return i
  }
  return -1
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1')
}

function badSet(argument: string, why: string): UsageError {
  return new UsageError(
    `bad --set "${argument}": ${why}`,
    'use --set key.path=value (see `helm install --help`)',
  )
}

/** Helm's merge of values layers: maps merge recursively, anything else is replaced. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = {...base}
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key]
    merged[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value
  }
  return merged
}

export function isMap(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
