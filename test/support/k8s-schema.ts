/**
 * Strict validation of the Kubernetes objects `helm template` renders, for the chart suite.
 *
 * kubernetes-models ships its OpenAPI schemas only as ajv *standalone* code: one CommonJS/ESM
 * module per definition under `_schemas/`, whose `$ref`s are already resolved into `require`s
 * of the sibling modules (and of `@kubernetes-models/apimachinery/_schemas/` for ObjectMeta,
 * Quantity, IntOrString...). There is no JSON schema left to copy and mark
 * `additionalProperties: false`, so the two halves of strictness come from different places:
 *
 * - types, required fields, enums and formats: the package's compiled validators, as shipped;
 * - unknown fields: every object is handed to them behind a Proxy that records the keys they
 *   read. Ajv's generated code reads each declared property (`data.x === undefined`) and
 *   enumerates maps (`for (key in data)`), so a key of a visited, non-map object that was never
 *   read is not in its schema. Keys read by any `oneOf`/`anyOf` branch count as known, so
 *   combinators cannot cause false failures.
 */
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {parseAllDocuments} from 'yaml'

export type K8sValidation = {ok: true} | {ok: false; errors: string[]}

export type K8sDocumentResult = K8sValidation & {
  /** `kind/name`, e.g. `Deployment/web` (`?` for a part that is missing). */
  id: string
  /** Position of the document in the stream, empty documents included. */
  index: number
  /** The template it came from, from helm's `# Source:` comment. */
  source?: string
}

interface AjvError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
}

interface CompiledValidator {
  (data: unknown): boolean
  errors?: AjvError[] | null
}

/** An object handed to a validator, and the keys the validator looked at. */
interface Watch {
  path: string
  target: Record<string, unknown>
  read: Set<string>
  enumerated: boolean
}

const require = createRequire(import.meta.url)
// `_schemas/` is not in the package's exports map, so it is reached by file path.
const MODELS_ROOT = dirname(require.resolve('kubernetes-models'))

// Both end up in a module path: anything else is refused before it gets there.
const API_VERSION = /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*\/)?v\d+(?:(?:alpha|beta)\d+)?$/
const KIND = /^[A-Z][A-Za-z0-9]*$/

/** `apiVersion/kind` -> validator, `undefined` once a lookup found none. */
const validators = new Map<string, CompiledValidator | undefined>()

export function validateK8sObject(obj: unknown): K8sValidation {
  if (!isPlainObject(obj)) return fail([`/: must be object, got ${describe(obj)}`])
  const {apiVersion, kind} = obj
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    const errors = Object.entries({apiVersion, kind})
      .filter(([, value]) => typeof value !== 'string')
      .map(([field, value]) =>
        value === undefined
          ? `/${field}: missing required field`
          : `/${field}: must be string, got ${describe(value)}`,
      )
    return fail(errors)
  }

  const validate = validatorFor(apiVersion, kind)
  if (!validate) return fail([`no schema for ${apiVersion}/${kind}`])

  const watches: Watch[] = []
  const valid = validate(watch(obj, '', watches))
  const errors = valid ? [] : formatErrors(validate.errors ?? [], obj)
  for (const {path, target, read, enumerated} of watches) {
    // Unread objects are free-form (or sit where an object is a type error, already reported).
    if (enumerated || read.size === 0) continue
    for (const key of Object.keys(target)) {
      if (!read.has(key)) errors.push(`${path}/${escapePointer(key)}: unknown field`)
    }
  }
  return errors.length === 0 ? {ok: true} : fail(errors)
}

/** Validates each non-empty document of a (`helm template`) multi-document YAML stream. */
export function validateK8sDocuments(yamlText: string): K8sDocumentResult[] {
  return parseAllDocuments(yamlText).flatMap((doc, index): K8sDocumentResult[] => {
    const source = /^\s*Source:\s*(.+)$/m.exec(doc.contents?.commentBefore ?? '')?.[1]?.trim()
    const where = source === undefined ? {index} : {index, source}
    if (doc.errors.length > 0) {
      return [{...where, id: '?/?', ...fail(doc.errors.map((e) => `YAML: ${e.message}`))}]
    }
    const obj: unknown = doc.toJS()
    // `---` alone, or a template that rendered to nothing but comments.
    if (obj === null || obj === undefined) return []
    return [{...where, id: objectId(obj), ...validateK8sObject(obj)}]
  })
}

function validatorFor(apiVersion: string, kind: string): CompiledValidator | undefined {
  const key = `${apiVersion}/${kind}`
  // Loaded on first use: a kind's modules are only required when an object of it shows up.
  if (!validators.has(key)) validators.set(key, loadValidator(apiVersion, kind))
  return validators.get(key)
}

function loadValidator(apiVersion: string, kind: string): CompiledValidator | undefined {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return undefined
  // The JSONSchemaProps validators skip `description` and the x-kubernetes-* fields, so the
  // unknown-field check would reject every real CRD schema.
  if (apiVersion.startsWith('apiextensions.k8s.io/')) return undefined

  // The model module (e.g. kubernetes-models/apps/v1/Deployment) tells a top-level kind from a
  // nested definition such as DeploymentSpec, and names its schema module.
  const model = requireIfPresent(`kubernetes-models/${apiVersion}/${kind}`)
  if (!isRecord(model)) return undefined
  const modelClass = model[kind]
  if (
    typeof modelClass !== 'function' ||
    Reflect.get(modelClass, 'apiVersion') !== apiVersion ||
    Reflect.get(modelClass, 'kind') !== kind
  ) {
    return undefined
  }
  // The class is re-exported under its definition id, e.g. IoK8sApiAppsV1Deployment.
  const id = Object.keys(model).find(
    (name) => name.startsWith('IoK8s') && model[name] === modelClass,
  )
  if (id === undefined) return undefined

  const schema = requireIfPresent(join(MODELS_ROOT, '_schemas', `${id}.js`))
  const validate = isRecord(schema) ? schema.validate : undefined
  return typeof validate === 'function' ? (validate as CompiledValidator) : undefined
}

function requireIfPresent(specifier: string): unknown {
  try {
    return require(specifier)
  } catch (error) {
    const code = isRecord(error) ? error.code : undefined
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined
    throw error
  }
}

/** A copy of `value` whose objects record the keys read from them into `watches`. */
function watch(value: unknown, path: string, watches: Watch[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => watch(item, `${path}/${i}`, watches))
  if (!isPlainObject(value)) return value

  const entry: Watch = {path, target: {}, read: new Set(), enumerated: false}
  // Pushed before the children so that errors come out in document order.
  watches.push(entry)
  // fromEntries defines keys, so a `__proto__` key stays a plain (unknown) field.
  entry.target = Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      watch(child, `${path}/${escapePointer(key)}`, watches),
    ]),
  )
  return new Proxy(entry.target, {
    get(target, key, receiver) {
      if (typeof key === 'string') entry.read.add(key)
      return Reflect.get(target, key, receiver)
    },
    ownKeys(target) {
      entry.enumerated = true
      return Reflect.ownKeys(target)
    },
  })
}

function formatErrors(errors: AjvError[], root: unknown): string[] {
  // A failed oneOf (IntOrString, Quantity) also reports each branch's failure at the same path;
  // fold those into one line.
  const combinators = new Set(
    errors.filter((e) => isCombinator(e.keyword)).map((e) => e.instancePath),
  )
  const branchReasons = new Map<string, string[]>()
  for (const e of errors) {
    if (!combinators.has(e.instancePath) || isCombinator(e.keyword)) continue
    const reasons = branchReasons.get(e.instancePath) ?? []
    branchReasons.set(e.instancePath, [...reasons, reason(e)])
  }

  const lines = errors.flatMap((e): string[] => {
    const path = e.instancePath === '' ? '/' : e.instancePath
    const got = describe(valueAt(root, e.instancePath))
    if (isCombinator(e.keyword)) {
      if (Array.isArray(e.params.passingSchemas)) return [`${path}: matches more than one schema`]
      return [`${path}: must ${joinReasons(branchReasons.get(e.instancePath) ?? [])}, got ${got}`]
    }
    if (combinators.has(e.instancePath)) return []
    if (e.keyword === 'required') {
      return [
        `${e.instancePath}/${escapePointer(String(e.params.missingProperty))}: missing required field`,
      ]
    }
    return [`${path}: must ${reason(e)}, got ${got}`]
  })
  return [...new Set(lines)]
}

/** `be number`, `be string` -> `be number or string`. */
function joinReasons(reasons: string[]): string {
  const unique = [...new Set(reasons)]
  if (unique.every((r) => r.startsWith('be ')))
    return `be ${unique.map((r) => r.slice(3)).join(' or ')}`
  return unique.join(' or ')
}

function isCombinator(keyword: string): boolean {
  return keyword === 'oneOf' || keyword === 'anyOf'
}

/** The problem as a verb phrase, to follow "must". */
function reason({keyword, params}: AjvError): string {
  switch (keyword) {
    case 'type':
      return `be ${String(params.type)}`
    case 'format':
      return `match format "${String(params.format)}"`
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : []
      return `be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
    }
    default:
      return `satisfy ${keyword} ${JSON.stringify(params)}`
  }
}

/** The value at an ajv instance path (a JSON pointer). */
function valueAt(root: unknown, pointer: string): unknown {
  let value = root
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~')
    value = isRecord(value) || Array.isArray(value) ? Reflect.get(value, key) : undefined
  }
  return value
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (isRecord(value)) return 'an object'
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

function objectId(obj: unknown): string {
  const kind = isRecord(obj) && typeof obj.kind === 'string' ? obj.kind : '?'
  const metadata = isRecord(obj) ? obj.metadata : undefined
  const name = isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : '?'
  return `${kind}/${name}`
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}

function fail(errors: string[]): K8sValidation {
  return {ok: false, errors}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** JSON-like objects only: the shapes YAML and JSON parsers produce. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
