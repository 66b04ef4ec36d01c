/**
 * One Compose file's say about one service (a layer), and compose-go's merge of a later
 * layer over an earlier one: for an override file, an extending service or an include.
 */
import type {Env} from './compose-env.js'
import {isMapping, parsePortSpec, uniquePorts, type ComposePort} from './compose-ports.js'
import {UserError} from './errors.js'

export interface ComposeEnvFile {
  /** Absolute path. */
  path: string
  required: boolean
}

export interface ComposeMount {
  source: string
  target: string
  /** A named volume (`data:/var/lib/…`), which the project must declare. */
  named: boolean
}

export interface ServiceLayer {
  image?: string
  /** `build:` is set: the service needs no image. */
  build: boolean
  profiles?: string[]
  ports: ComposePort[]
  /** null: pass through from the environment. */
  environment: Record<string, string | null>
  /**
   * How compose-go holds the environment: 'map' while it is one file's mapping, 'list' once
   * written as a list or merged (merging turns it into `KEY=value` items). A `!reset` of one
   * key finds it only in a mapping.
   */
  environmentForm?: 'map' | 'list'

  envFiles: ComposeEnvFile[]
  volumes: ComposeMount[]
  command?: string[]
  /** `depends_on`: the services it needs, unless marked `required: false`. */
  dependsOn: Array<{service: string; required: boolean}>
  networks: string[]
  /**
   * The definition as written, to tell whether an include defines the very same service
   * (compose-go compares them, see sameDefinition): `rewritten` when compose-go changes it
   * on import (short ports, relative paths under `baseDir`, …). Unset once merged.
   */
  definition?: {spec: Record<string, unknown>; rewritten: boolean; baseDir?: string}
  /** It came from an included file (compose-go has rewritten it to its canonical form). */
  imported?: boolean
}

/** Where a file's relative paths lead, and the environment it was interpolated with. */
export interface LayerContext {
  project: string
  service: string
  baseDir: string
  env: Env
}

/** A service's definition (interpolated) as a layer; paths resolve under `ctx.baseDir`. */
export function serviceLayer(
  definition: Record<string, unknown> | null,
  ctx: LayerContext,
): ServiceLayer {
  const spec = definition ?? {}
  const at = `services.${ctx.service}`
  const field = (key: string) => (Object.hasOwn(spec, key) ? spec[key] : undefined)
  const ports = listOf(field('ports'), `${at}.ports`)
  const profiles = field('profiles')
  const layer: ServiceLayer = {
    image: typeof field('image') === 'string' ? (field('image') as string) : undefined,
    build: field('build') !== undefined && field('build') !== null,
    profiles:
      profiles === undefined || profiles === null
        ? undefined
        : unique(listOf(profiles, `${at}.profiles`).map(String)),
    ports: uniquePorts(ports.flatMap((port) => parsePortSpec(port, ctx))),
    environment: environmentEntries(field('environment'), at, ctx.env),
    environmentForm:
      field('environment') === undefined
        ? undefined
        : isMapping(field('environment'))
          ? 'map'
          : 'list',
    envFiles: envFileEntries(field('env_file'), ctx),
    volumes: listOf(field('volumes'), `${at}.volumes`).flatMap((volume) => mountOf(volume, ctx)),
    command: commandOf(field('command')),
    dependsOn: dependsOnEntries(field('depends_on')),
    networks: namesOf(field('networks')),
  }
  if (!Object.hasOwn(spec, 'extends')) {
    layer.definition = {
      spec,
      rewritten: REWRITTEN_KEYS.some((key) => Object.hasOwn(spec, key)),
      // Relative paths were made absolute under the file's directory.
      baseDir: PATH_KEYS.some((key) => Object.hasOwn(spec, key)) ? ctx.baseDir : undefined,
    }
  }
  return layer
}

/**
 * Keys compose-go rewrites when it loads an included file (short syntax to long, relative
 * paths to absolute): a main file's service with one of them never equals the included one.
 */
const REWRITTEN_KEYS = [
  'ports',
  'volumes',
  'env_file',
  'depends_on',
  'networks',
  'extends',
  'build',
  'secrets',
  'configs',
  'ulimits',
  'label_file',
]

/** Keys whose relative paths compose-go resolves. */
const PATH_KEYS = ['volumes', 'env_file', 'build', 'extends', 'label_file']

/** JSON with sorted keys (bigints as digits), to compare two definitions. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return String(item)
    if (isMapping(item)) {
      return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)))
    }
    return item
  })
}

/** Compose's merge of a later layer (file, extending service) over an earlier one. */
export function mergeLayers(base: ServiceLayer, over: ServiceLayer): ServiceLayer {
  const volumes = new Map(base.volumes.map((volume) => [volume.target, volume]))
  for (const volume of over.volumes) volumes.set(volume.target, volume)
  // An env_file named again keeps its place and takes the later entry, as compose-go's unicity.
  const envFiles = new Map(base.envFiles.map((file) => [file.path, file]))
  for (const file of over.envFiles) envFiles.set(file.path, file)
  const dependsOn = new Map(base.dependsOn.map((entry) => [entry.service, entry]))
  for (const entry of over.dependsOn) dependsOn.set(entry.service, entry)
  return {
    image: over.image ?? base.image,
    build: base.build || over.build,
    // Lists are appended, then each value kept once.
    profiles:
      base.profiles || over.profiles
        ? unique([...(base.profiles ?? []), ...(over.profiles ?? [])])
        : undefined,
    ports: uniquePorts([...base.ports, ...over.ports]),
    environment: {...base.environment, ...over.environment},
    environmentForm:
      base.environmentForm && over.environmentForm
        ? 'list'
        : (base.environmentForm ?? over.environmentForm),
    envFiles: [...envFiles.values()],
    volumes: [...volumes.values()],
    command: over.command ?? base.command,
    dependsOn: [...dependsOn.values()],
    networks: unique([...base.networks, ...over.networks]),
  }
}

/**
 * A layer with what `!reset` / `!override` paths drop from the files before them
 * (`services.db.ports`, `services.db.environment.PGPORT`, …); undefined when the whole
 * service is dropped. Paths into lists never match, as in compose-go.
 */
export function resetLayer(
  name: string,
  layer: ServiceLayer,
  resets: ReadonlySet<string>,
): ServiceLayer | undefined {
  const at = `services.${name}`
  if (resets.has('services') || resets.has(at)) return undefined
  const dropped = (key: string) => resets.has(`${at}.${key}`)
  const result: ServiceLayer = {...layer, environment: {...layer.environment}}
  delete result.definition
  if (dropped('image')) delete result.image
  if (dropped('build')) result.build = false
  if (dropped('profiles')) delete result.profiles
  if (dropped('ports')) result.ports = []
  if (dropped('env_file')) result.envFiles = []
  if (dropped('volumes')) result.volumes = []
  if (dropped('command')) delete result.command
  if (dropped('depends_on')) result.dependsOn = []
  if (dropped('networks')) result.networks = []
  if (dropped('environment')) {
    result.environment = {}
    delete result.environmentForm
  }
  for (const key of Object.keys(result.environment)) {
    if (result.environmentForm === 'map' && dropped(`environment.${key}`)) {
      delete result.environment[key]
    }
  }
  return result
}

/** The same layer, its ports now the extending service's. */
export function renamedLayer(layer: ServiceLayer, service: string): ServiceLayer {
  return {...layer, ports: layer.ports.map((port) => ({...port, service}))}
}

/** `command:` as an argv: a list as it is, a string split as a POSIX shell splits words. */
function commandOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String)
  return typeof value === 'string' ? splitShellWords(value) : undefined
}

/** Words of a command line as a POSIX shell splits them (quotes and backslashes removed). */
export function splitShellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? ''
    if (quote) {
      if (char === quote) quote = undefined
      else if (char === '\\' && quote === '"' && /["\\$`]/.test(text[index + 1] ?? '')) {
        word = (word ?? '') + text[++index]
      } else word = (word ?? '') + char
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (char === '"' || char === "'") {
      quote = char
      word ??= ''
    } else if (char === '\\' && index + 1 < text.length) {
      word = (word ?? '') + text[++index]
    } else word = (word ?? '') + char
  }
  if (word !== undefined) words.push(word)
  return words
}

export function listOf(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new UserError(`${at} must be a list`)
  return value
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/** The names of a list (`[a, b]`) or of a mapping's keys (`{a: …}`). */
function namesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String)
  return isMapping(value) ? Object.keys(value) : []
}

function dependsOnEntries(value: unknown): ServiceLayer['dependsOn'] {
  if (Array.isArray(value))
    return value.map((service) => ({service: String(service), required: true}))
  if (!isMapping(value)) return []
  return Object.entries(value).map(([service, condition]) => ({
    service,
    required: !(isMapping(condition) && condition.required === false),
  }))
}

/** Go's fmt.Sprint of a YAML value, as Compose turns an environment value into text. */
function envValue(value: unknown): string {
  return typeof value === 'string' ? value : String(value)
}

/**
 * `environment:` entries; null passes the variable through from the project environment. A
 * bare `KEY` of a list takes the value of the file's own environment already (an included
 * project's, with its .env), as compose-go resolves it when it loads the file.
 */
function environmentEntries(value: unknown, at: string, env: Env): Record<string, string | null> {
  const entries: Record<string, string | null> = {}
  if (value === undefined || value === null) return entries
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = envValue(item)
      const equals = text.indexOf('=')
      if (equals === -1) entries[text] = Object.hasOwn(env, text) ? (env[text] ?? null) : null
      else entries[text.slice(0, equals)] = text.slice(equals + 1)
    }
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) {
      entries[key] = item === null || item === undefined ? null : envValue(item)
    }
  } else {
    throw new UserError(`${at}.environment must be a list or a mapping`)
  }
  return entries
}

function envFileEntries(value: unknown, ctx: LayerContext): ComposeEnvFile[] {
  if (value === undefined || value === null) return []
  const items = Array.isArray(value) ? value : [value]
  return items.flatMap((item): ComposeEnvFile[] => {
    if (typeof item === 'string') return [{path: hostPath(item, ctx), required: true}]
    if (isMapping(item) && typeof item.path === 'string') {
      return [{path: hostPath(item.path, ctx), required: item.required !== false}]
    }
    return []
  })
}

/** A volume with a source, short (`src:dst[:mode]`) or long syntax; anonymous ones are skipped. */
function mountOf(volume: unknown, ctx: LayerContext): ComposeMount[] {
  let source: string | undefined
  let target: string | undefined
  let named = false
  if (typeof volume === 'string') {
    const parts = volume.split(':')
    // `/data` and `/data:ro` are anonymous volumes.
    if (parts.length >= 3 || (parts.length === 2 && parts[1]?.startsWith('/'))) {
      ;[source, target] = parts
      named = source !== undefined && !/^[./~]/.test(source)
    }
  } else if (isMapping(volume)) {
    if (typeof volume.source === 'string') source = volume.source
    if (typeof volume.target === 'string') target = volume.target
    named = volume.type === 'volume'
  }
  if (!source || !target) return []
  if (!named && (isMapping(volume) ? volume.type === 'bind' : true)) {
    source = hostPath(source, ctx)
  }
  return [{source, target, named}]
}

/** A host path from the file: `~` is HOME, relative paths are under the file's base directory. */
export function hostPath(path: string, ctx: {baseDir: string; env: Env}): string {
  if (path === '~' || path.startsWith('~/')) {
    return joinPath(ctx.env.HOME ?? '~', path.slice(2))
  }
  return path.startsWith('/') ? joinPath(path) : joinPath(ctx.baseDir, path)
}

/** POSIX path join and normalisation (src/core has no node:path). */
export function joinPath(...parts: string[]): string {
  const absolute = parts[0]?.startsWith('/') ?? false
  const segments: string[] = []
  for (const segment of parts.join('/').split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (segments.length > 0 && segments.at(-1) !== '..') segments.pop()
      else if (!absolute) segments.push('..')
    } else segments.push(segment)
  }
  return (absolute ? '/' : '') + segments.join('/')
}

export function dirName(path: string): string {
  return joinPath(path, '..')
}
