/**
 * Compose's variable substitution and its `.env` files, as Docker Compose v2 reads them;
 * checked against `docker compose config` in test/integration/compose-config.
 */
import {UserError} from './errors.js'

export type Env = Record<string, string | undefined>

const VARIABLE_NAME = /^[_a-z][_a-z0-9]*/i
const BRACED_EXPRESSION = /^([_a-z][_a-z0-9]*)(?:(:?[-?+])([\s\S]*))?$/i
const ESCAPE_HINT = 'Write a literal $ as $$'
/**
 * Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for `$`, nested in the
 * default/alternative. A `$` that starts none of these stays as it is, as in Compose.
 */
export function interpolate(text: string, env: Env): string {
  let result = ''
  let index = 0
  while (index < text.length) {
    const dollar = text.indexOf('$', index)
    if (dollar === -1) return result + text.slice(index)
    result += text.slice(index, dollar)
    const next = text[dollar + 1]
    if (next === '$') {
      result += '$'
      index = dollar + 2
    } else if (next === '{') {
      const close = closingBrace(text, dollar + 2)
      if (close === -1) throw invalidTemplate(text)
      result += substituteBraced(text.slice(dollar + 2, close), env, text)
      index = close + 1
    } else {
      const name = VARIABLE_NAME.exec(text.slice(dollar + 1))?.[0]
      result += name === undefined ? '$' : (lookup(env, name) ?? '')
      index = dollar + 1 + (name?.length ?? 0)
    }
  }
  return result
}

/** Index of the `}` closing a `${` whose body starts at `from`; braces nest, as in Compose. */
function closingBrace(text: string, from: number): number {
  let depth = 1
  for (let index = from; index < text.length; index++) {
    if (text[index] === '{') depth++
    else if (text[index] === '}' && --depth === 0) return index
  }
  return -1
}

function substituteBraced(body: string, env: Env, template: string): string {
  const match = BRACED_EXPRESSION.exec(body)
  if (!match) throw invalidTemplate(template)
  const [, name = '', operator, rawOperand = ''] = match
  const value = lookup(env, name)
  if (operator === undefined) return value ?? ''
  // Compose resolves the operand even when it is not used, so an error inside it surfaces.
  const operand = interpolate(rawOperand, env)
  const unset = value === undefined
  const empty = unset || value === ''
  switch (operator) {
    case ':-':
      return empty ? operand : value
    case '-':
      return unset ? operand : value
    case ':+':
      return empty ? '' : operand
    case '+':
      return unset ? '' : operand
    default: {
      // ':?' and '?'
      if (operator === ':?' ? empty : unset) {
        throw new UserError(
          `required variable ${name} is missing a value${operand ? `: ${operand}` : ''}`,
          `Set ${name} in the environment or in the project's .env file`,
        )
      }
      return value ?? ''
    }
  }
}

function invalidTemplate(template: string): UserError {
  return new UserError(`invalid interpolation format in ${JSON.stringify(template)}`, ESCAPE_HINT)
}

export function lookup(env: Env, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined
}

// .env files

/**
 * A `.env` or `env_file` file as Compose reads it: `KEY=value` or `KEY: value`, optional
 * `export `, `#` comments (inline only after whitespace in unquoted values), single quotes
 * literal, double quotes with escapes and variables, a bare `KEY` taken from `env`.
 * Variables resolve from `env` first, then from the keys above them in the file.
 */
export function parseDotEnv(text: string, env: Env = {}): Record<string, string> {
  const values: Record<string, string> = {}
  const resolve = (raw: string) => interpolate(raw, {...values, ...definedOnly(env)})
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  for (let index = 0; index < lines.length; index++) {
    // Not trimmed at the end: a quoted value may keep trailing spaces before its newline.
    const line = (lines[index] ?? '').trimStart()
    if (line.trim() === '' || line.startsWith('#')) continue
    const assignment = /^(?:export\s+)?([^=:\s]+)\s*([=:])?\s*([\s\S]*)$/.exec(line)
    if (!assignment) continue
    const [, key = '', separator, rest = ''] = assignment
    if (separator === undefined) {
      const inherited = lookup(env, key)
      if (inherited !== undefined) values[key] = inherited
      continue
    }
    const quote = rest[0]
    if (quote === '"' || quote === "'") {
      let quoted = rest.slice(1)
      // A quoted value may run over several lines.
      while (closingQuote(quoted, quote) === -1 && index + 1 < lines.length) {
        quoted += `\n${lines[++index] ?? ''}`
      }
      const end = closingQuote(quoted, quote)
      const inner = end === -1 ? quoted : quoted.slice(0, end)
      values[key] = quote === "'" ? inner.replace(/\\'/g, "'") : resolve(unescapeDouble(inner))
    } else {
      values[key] = resolve(rest.replace(/\s+#.*$/, '').trim())
    }
  }
  return values
}

function closingQuote(text: string, quote: string): number {
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index++
    else if (text[index] === quote) return index
  }
  return -1
}

function unescapeDouble(text: string): string {
  const escapes: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'}
  return text.replace(/\\(.)/g, (whole, char: string) => escapes[char] ?? whole)
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}
