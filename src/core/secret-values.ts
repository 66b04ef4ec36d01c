import {emptyMap} from './plain-map.js'
import {isMap, type Values} from './set-values.js'

/** What a redacted value is shown as. */
export const REDACTED = '***'

/** The last word of a key that names a secret: password, token, key, salt, secret… */
const SECRET_WORD = /(password|passwd|passphrase|secret|token|salt|key|credentials?)$/i
/** Words before a final "key" that make it the name of a key inside a Secret (caSecretKey). */
const REFERENCE_BEFORE_KEY = new Set(['secret', 'password', 'key', 'token'])

/** camelCase, snake_case, kebab-case and dotted keys as lower-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase())
}

/**
 * Does a key hold a secret? Its last word says so (`postgresPassword`, `qdrantApiKey`,
 * `OPENAI_API_KEY`, `runnerToken`, `encryptionSalt`), unless the key names where a secret is
 * kept rather than the secret: `existingSecret…`, `…SecretName`, `…Ref`, and a key inside a
 * Secret (`existingSecretPasswordKey`, `caSecretKey`).
 */
export function isSecretKey(key: string): boolean {
  const parts = words(key)
  const last = parts.at(-1)
  if (!last || !SECRET_WORD.test(last)) return false
  if (parts[0] === 'existing') return false
  if (last === 'key' && REFERENCE_BEFORE_KEY.has(parts.at(-2) ?? '')) return false
  return true
}

export interface RedactedValues {
  values: Values
  /** The dotted paths whose values are shown as REDACTED. */
  redacted: string[]
}

/**
 * Values with their secrets replaced by REDACTED, for printing: every value under `secrets`
 * (the chart's passwords and provider keys), every value of a key that names a secret (see
 * isSecretKey), and the `value` of a `{name, value}` environment entry whose name does. Empty
 * strings, booleans and null are kept: they reveal nothing.
 */
export function redactSecretValues(values: Values): RedactedValues {
  const redacted: string[] = []
  const walk = (value: unknown, path: string, secret: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`, secret))
    if (isMap(value)) {
      const out = emptyMap()
      const envName = typeof value.name === 'string' && isSecretKey(value.name)
      for (const [key, item] of Object.entries(value)) {
        const child = path === '' ? key : `${path}.${key}`
        const secretChild =
          secret ||
          (path === '' && key === 'secrets') ||
          isSecretKey(key) ||
          (envName && key === 'value')
        out[key] = walk(item, child, secretChild)
      }
      return out
    }
    if (secret && (typeof value === 'number' || (typeof value === 'string' && value !== ''))) {
      redacted.push(path)
      return REDACTED
    }
    return value
  }
  return {values: walk(values, '', false) as Values, redacted}
}
