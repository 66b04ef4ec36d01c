/**
 * The Compose project as geniro-dev needs it: which ports each service publishes, what
 * image it runs, its environment and its volumes. Built from the Compose files' text the
 * way Docker Compose v2 resolves them (interpolation, .env, profiles, merged files and
 * documents, `include:`, `extends:`, `!reset`/`!override`, project name), and checked
 * against `docker compose config` in test/integration/compose-config.
 */
import {interpolate, lookup, parseDotEnv, type Env} from './compose-env.js'
import {
  canonicalJson,
  dirName,
  hostPath,
  joinPath,
  mergeLayers,
  renamedLayer,
  resetLayer,
  serviceLayer,
  type ComposeEnvFile,
  type ServiceLayer,
} from './compose-layers.js'
import {isMapping, type ComposePort} from './compose-ports.js'
import {withRole, type ServiceRole} from './compose-roles.js'
import {parseComposeYaml, type ComposeYamlDocument} from './compose-yaml.js'
import {UserError} from './errors.js'

// The model's parts live in their own modules; these names are imported from here.
export {interpolate, parseDotEnv} from './compose-env.js'
export type {ComposeEnvFile} from './compose-layers.js'
export {splitShellWords} from './compose-layers.js'
export {isIpAddress, parsePortSpec, uniquePorts} from './compose-ports.js'
export type {ComposePort, ComposeProtocol} from './compose-ports.js'
export {findServiceByRole, imageName, serviceRole, withRole} from './compose-roles.js'
export type {ServiceRole} from './compose-roles.js'

export interface ComposeService {
  name: string
  image?: string
  role?: ServiceRole
  /** What the role was recognised by: the image wins over a well-known port. */
  roleBy?: 'image' | 'port'
  /** Published ports: the engine's when the project runs, else the files'. */
  ports: ComposePort[]
  /** The files' ports, beside runtime `ports` (a stopped service publishes nothing). */
  declaredPorts?: ComposePort[]
  /** Resolved: `environment` over `env_file`, unset pass-through variables left out. */
  environment: Record<string, string>
  /** `env_file` entries, to read and pass back as `envFileTexts` (see composeModel). */
  envFiles?: ComposeEnvFile[]
  /** The real container name (runtime). */
  containerName?: string
  /** running | exited | ... (runtime). */
  state?: string
  /** `source:target` of each mount with a source; bind sources are absolute. */
  volumes?: string[]
  profiles?: string[]
  /** `command`, as an argv (a string command is split as Compose splits it). */
  command?: string[]
}

export interface ComposeProject {
  name: string
  source: 'runtime' | 'file'
  workingDir: string
  files: string[]
  /** The active services (and, from the engine, whatever else runs). */
  services: ComposeService[]
  /** Services the files declare under profiles that are not active (and that do not run). */
  inactive?: ComposeService[]
}

export interface ComposeModelOptions {
  /** Process environment merged over the project's `.env` (see compose-files). */
  env: Env
  /** `-p`. */
  projectName?: string
  /** The project directory: relative paths and the default project name come from it. */
  workingDir: string
  /** `--profile` (repeatable); when empty, COMPOSE_PROFILES of `env`. `*` activates all. */
  profiles?: string[]
  /** Text of `env_file` files by absolute path; files not given here are left out. */
  envFileTexts?: Record<string, string>
  /**
   * Files the project names besides `files`, by absolute path: included and extended Compose
   * files, an include's env_file and its project's `.env`. null: there is no such file. One
   * that is not here is asked for by throwing ComposeFilesNeeded.
   */
  sources?: Readonly<Record<string, string | null>>
  /**
   * Parsed files by path, kept between calls: composeModel fills it, so that asking again
   * (after ComposeFilesNeeded) does not parse a file twice.
   */
  parsed?: Map<string, ComposeYamlDocument[]>
}

/**
 * Thrown when the project names files that `sources` does not hold yet: read them (a
 * missing one as null) and call again. `compose`: YAML to parse (included or extended
 * files); `other`: an include's env files. Not a UserError: the caller handles it.
 */
export class ComposeFilesNeeded extends Error {
  constructor(
    readonly compose: string[],
    readonly other: string[],
  ) {
    super(`Compose files needed: ${[...compose, ...other].join(', ')}`)
  }
}

/** What the files declare, merged in order: compose-go's model, reduced to what we use. */
interface Declared {
  services: Map<string, ServiceLayer>
  volumes: Map<string, string>
  networks: Map<string, string>
  /** Whether any document had a top-level key (none: "empty compose file"). */
  keys: boolean
  name?: string
}

/** How a set of files is loaded: where their relative paths lead, and with which variables. */
interface LoadContext {
  baseDir: string
  env: Env
  /** The chain of includes that led here, main file first (include cycles). */
  included: string[]
  /** An extended file: its `include:` and `extends:` are not followed (as compose-go). */
  raw: boolean
  project: string
}

/**
 * The project that `docker compose config` would resolve from these files (in -f order),
 * reduced to what geniro-dev uses. Throws UserError naming the file for YAML errors,
 * missing required variables, invalid ports and what Compose refuses in a project; throws
 * ComposeFilesNeeded while `options.sources` lacks a file the project names.
 */
export function composeModel(
  files: ReadonlyArray<{path: string; text: string}>,
  options: ComposeModelOptions,
): ComposeProject {
  if (files.length === 0) throw new UserError('no Compose file given')
  const loader = new Loader(files, options)
  // The name first: the ports carry it. compose-go's `name:` is the last file's that sets it.
  const name = projectName({
    flag: options.projectName,
    env: options.env.COMPOSE_PROJECT_NAME,
    file: loader.fileName(),
    workingDir: options.workingDir,
  })
  const declared = loader.load(
    files.map((file) => file.path),
    {baseDir: options.workingDir, env: options.env, included: [], raw: false, project: name},
  )
  if (!declared.keys) {
    throw new UserError(`${files[0]?.path}: empty compose file`, 'Define at least `services:`')
  }
  const active = activeProfiles(options)
  const services: ComposeService[] = []
  const inactive: ComposeService[] = []
  for (const [service, layer] of declared.services) {
    const list = isActive(layer.profiles, active) ? services : inactive
    list.push(composeService(service, layer, options))
  }
  checkConsistency(declared, services)
  return {
    name,
    source: 'file',
    workingDir: options.workingDir,
    files: files.map((file) => file.path),
    services,
    inactive,
  }
}

class Loader {
  private readonly texts = new Map<string, string | null>()
  private readonly parsed: Map<string, ComposeYamlDocument[]>

  constructor(
    private readonly files: ReadonlyArray<{path: string; text: string}>,
    private readonly options: ComposeModelOptions,
  ) {
    for (const [path, text] of Object.entries(options.sources ?? {})) this.texts.set(path, text)
    for (const file of files) this.texts.set(file.path, file.text)
    this.parsed = options.parsed ?? new Map()
  }

  /** The main files' `name:` (interpolated), the last one that sets it. */
  fileName(): string | undefined {
    let name: string | undefined
    for (const {path} of this.files) {
      for (const document of this.documents(path, 'the Compose file')) {
        const content = document.content
        if (!isMapping(content) || !Object.hasOwn(content, 'name')) continue
        const value = inFile(path, () => interpolateValues(content.name, this.options.env, 'name'))
        if (typeof value === 'string' && value !== '') name = value
      }
    }
    return name
  }

  /** compose-go's loadYamlModel: each document of each file merged over the ones before. */
  load(paths: readonly string[], ctx: LoadContext): Declared {
    const declared: Declared = {
      services: new Map(),
      volumes: new Map(),
      networks: new Map(),
      keys: false,
    }
    for (const path of paths) {
      for (const document of this.documents(path, 'the Compose file')) {
        inFile(path, () => this.mergeDocument(declared, document, path, ctx, paths[0] ?? path))
      }
    }
    return declared
  }

  private mergeDocument(
    declared: Declared,
    document: ComposeYamlDocument,
    path: string,
    ctx: LoadContext,
    mainFile: string,
  ): void {
    if (!isMapping(document.content)) throw new UserError('Top-level object must be a mapping')
    const content = interpolateValues(document.content, ctx.env, '') as Record<string, unknown>
    if (Object.keys(content).length > 0) declared.keys = true
    const definitions = servicesOf(content)
    const resets = new Set(document.resets)
    // Extends first, within this document (compose-go's ApplyExtends).
    const layers = new Map<string, ServiceLayer>()
    for (const service of Object.keys(definitions)) {
      layers.set(service, this.extended(service, definitions, path, ctx, resets, []))
    }
    // What !reset / !override name is dropped from the files before this one.
    for (const [service, layer] of declared.services) {
      const kept = resetLayer(service, layer, resets)
      if (kept) declared.services.set(service, kept)
      else declared.services.delete(service)
    }
    for (const kind of ['volumes', 'networks'] as const) {
      if (resets.has(kind)) declared[kind].clear()
      for (const key of declared[kind].keys())
        if (resets.has(`${kind}.${key}`)) declared[kind].delete(key)
    }
    const own: Declared = {
      services: layers,
      volumes: resourcesOf(content, 'volumes'),
      networks: resourcesOf(content, 'networks'),
      keys: true,
    }
    if (!ctx.raw && Object.hasOwn(content, 'include')) {
      this.include(content.include, own, ctx, [...ctx.included, mainFile])
    }
    for (const [service, layer] of own.services) {
      const before = declared.services.get(service)
      declared.services.set(service, before ? mergeLayers(before, layer) : layer)
    }
    for (const kind of ['volumes', 'networks'] as const) {
      for (const [key, value] of own[kind]) declared[kind].set(key, value)
    }
  }

  /** compose-go's applyServiceExtends: the base service (this file's or another's) under this one. */
  private extended(
    service: string,
    definitions: Record<string, Record<string, unknown> | null>,
    path: string,
    ctx: LoadContext,
    resets: ReadonlySet<string>,
    chain: readonly string[],
  ): ServiceLayer {
    const definition = definitions[service] ?? null
    const own = serviceLayer(definition, {...ctx, service})
    const extendsValue =
      definition && Object.hasOwn(definition, 'extends') ? definition.extends : undefined
    if (extendsValue === undefined || extendsValue === null) return own
    const {service: base, file} = extendsOf(extendsValue, service)
    const link = `${file ?? path}:${service}`
    if (chain.includes(link)) {
      throw new UserError(
        `services extend each other in a loop: ${[...chain, link].join(' → ')}`,
        'Remove one of the `extends:`',
      )
    }
    let baseLayer: ServiceLayer
    if (file === undefined) {
      if (!Object.hasOwn(definitions, base)) throw unknownBase(service, base, path)
      baseLayer = this.extended(base, definitions, path, ctx, resets, [...chain, link])
    } else {
      const basePath = hostPath(file, ctx)
      const baseCtx: LoadContext = {...ctx, baseDir: dirName(basePath), raw: true}
      const baseDefinitions: Record<string, Record<string, unknown> | null> = {}
      for (const document of this.documents(basePath, 'the extended Compose file')) {
        if (!isMapping(document.content)) {
          throw new UserError(`${basePath}: Top-level object must be a mapping`)
        }
        const content = inFile(basePath, () => interpolateValues(document.content, ctx.env, ''))
        Object.assign(
          baseDefinitions,
          inFile(basePath, () => servicesOf(content as Record<string, unknown>)),
        )
      }
      if (!Object.hasOwn(baseDefinitions, base)) throw unknownBase(service, base, basePath)
      baseLayer = inFile(basePath, () =>
        this.extended(base, baseDefinitions, basePath, baseCtx, resets, [...chain, link]),
      )
    }
    // The extending document's !reset / !override apply to the base's copy too.
    const kept = resetLayer(service, renamedLayer(baseLayer, service), resets)
    return kept ? mergeLayers(kept, own) : {...own, definition: undefined}
  }

  /** compose-go's ApplyInclude: each entry's project loaded on its own, then imported. */
  private include(value: unknown, into: Declared, ctx: LoadContext, included: string[]): void {
    if (!Array.isArray(value)) throw new UserError('`include` must be a list')
    for (const entry of value) {
      const spec = includeEntry(entry)
      const paths = spec.paths.map((path) => hostPath(path, ctx))
      const main = paths[0] ?? ''
      if (included.includes(main)) {
        throw new UserError(
          `include cycle: ${[...included, main].join(' → ')}`,
          'Remove one of the `include:` entries',
        )
      }
      const projectDir =
        spec.projectDirectory === undefined ? dirName(main) : hostPath(spec.projectDirectory, ctx)
      const envFiles =
        spec.envFiles.length > 0
          ? spec.envFiles.map((file) => ({path: hostPath(file, ctx), required: true}))
          : [{path: joinPath(projectDir, '.env'), required: false}]
      this.need(
        paths,
        envFiles.map((file) => file.path),
      )
      const fromFiles: Env = {}
      for (const file of envFiles) {
        const text = this.texts.get(file.path)
        if (text === null || text === undefined) {
          if (file.required) throw new UserError(`include env_file ${file.path} not found`)
          continue
        }
        Object.assign(fromFiles, parseDotEnv(text, {...ctx.env, ...fromFiles}))
      }
      // The including project's variables win over the included project's files.
      const env = {...fromFiles, ...definedOnly(ctx.env)}
      const imported = this.load(paths, {...ctx, baseDir: projectDir, env, included})
      importResources(imported, into)
    }
  }

  /** A file's documents: parsed once; a file not yet read is asked for. */
  private documents(path: string, what: string): ComposeYamlDocument[] {
    const parsed = this.parsed.get(path)
    if (parsed) return parsed
    this.need([path], [])
    const text = this.texts.get(path)
    if (text === null || text === undefined) {
      throw new UserError(`${what} ${path} not found`, 'Check the path in the Compose file')
    }
    const documents = parseComposeYaml(path, text)
    this.parsed.set(path, documents)
    return documents
  }

  private need(compose: readonly string[], other: readonly string[]): void {
    const missing = (paths: readonly string[]) => [
      ...new Set(paths.filter((path) => !this.texts.has(path) && !this.parsed.has(path))),
    ]
    if (missing(compose).length + missing(other).length > 0) {
      throw new ComposeFilesNeeded(missing(compose), missing(other))
    }
  }
}

function servicesOf(
  content: Record<string, unknown>,
): Record<string, Record<string, unknown> | null> {
  if (!Object.hasOwn(content, 'services')) return {}
  const services = content.services
  if (!isMapping(services)) throw new UserError('services must be a mapping')
  for (const [service, definition] of Object.entries(services)) {
    if (!isMapping(definition ?? {})) throw new UserError(`services.${service} must be a mapping`)
  }
  return services as Record<string, Record<string, unknown> | null>
}

/** Top-level `volumes:` or `networks:`: each name with its definition (to compare includes). */
function resourcesOf(content: Record<string, unknown>, kind: string): Map<string, string> {
  const value = Object.hasOwn(content, kind) ? content[kind] : undefined
  if (value === undefined || value === null) return new Map()
  if (!isMapping(value)) throw new UserError(`${kind} must be a mapping`)
  return new Map(Object.entries(value).map(([name, item]) => [name, canonicalJson(item ?? null)]))
}

function includeEntry(entry: unknown): {
  paths: string[]
  projectDirectory?: string
  envFiles: string[]
} {
  const strings = (value: unknown, at: string): string[] => {
    if (value === undefined || value === null) return []
    const items = Array.isArray(value) ? value : [value]
    if (!items.every((item) => typeof item === 'string')) {
      throw new UserError(`include.${at} must be a string or a list of strings`)
    }
    return items as string[]
  }
  if (typeof entry === 'string') return {paths: [entry], envFiles: []}
  if (!isMapping(entry))
    throw new UserError('an `include` entry is a path or a mapping with `path`')
  const paths = strings(entry.path, 'path')
  if (paths.length === 0) throw new UserError('an `include` entry needs a `path`')
  const projectDirectory = entry.project_directory
  if (projectDirectory !== undefined && typeof projectDirectory !== 'string') {
    throw new UserError('include.project_directory must be a string')
  }
  return {paths, projectDirectory, envFiles: strings(entry.env_file, 'env_file')}
}

function extendsOf(value: unknown, service: string): {service: string; file?: string} {
  if (typeof value === 'string') return {service: value}
  if (isMapping(value) && typeof value.service === 'string') {
    if (value.file === undefined || value.file === null) return {service: value.service}
    if (typeof value.file === 'string') return {service: value.service, file: value.file}
  }
  throw new UserError(
    `services.${service}.extends must name a service (extends: db, or {service: db, file: base.yaml})`,
  )
}

function unknownBase(service: string, base: string, path: string): UserError {
  return new UserError(
    `cannot extend service "${service}" in ${path}: service "${base}" not found`,
    'Check the `extends:` of the service',
  )
}

/**
 * compose-go's importResources: an included project's services, volumes and networks join
 * the including file's; a name both define is refused unless the definitions are the same.
 */
function importResources(imported: Declared, into: Declared): void {
  for (const [service, layer] of imported.services) {
    const conflict = into.services.get(service)
    if (conflict && !sameDefinition(conflict, layer)) throw conflictError('services', service)
    if (!conflict) into.services.set(service, {...layer, imported: true})
  }
  for (const kind of ['volumes', 'networks'] as const) {
    for (const [name, definition] of imported[kind]) {
      const conflict = into[kind].get(name)
      if (conflict !== undefined && conflict !== definition) throw conflictError(kind, name)
      into[kind].set(name, definition)
    }
  }
}

/** Whether compose-go's reflect.DeepEqual would find the two definitions equal. */
function sameDefinition(existing: ServiceLayer, imported: ServiceLayer): boolean {
  const [a, b] = [existing.definition, imported.definition]
  if (!a || !b) return false
  // Imported definitions were rewritten (ports, paths) the same way; a file's own were not.
  if (existing.imported !== true && a.rewritten) return false
  return a.baseDir === b.baseDir && canonicalJson(a.spec) === canonicalJson(b.spec)
}

function conflictError(kind: string, name: string): UserError {
  return new UserError(
    `${kind}.${name} conflicts with imported resource`,
    `Define ${kind === 'services' ? 'the service' : 'it'} in one file only: an included file's ${kind} cannot be redefined by the file that includes it (use an override file or extends)`,
  )
}

/** Compose interpolates every value of the file (keys stay as written). */
function interpolateValues(value: unknown, env: Env, at: string): unknown {
  if (typeof value === 'string') {
    try {
      return interpolate(value, env)
    } catch (error) {
      if (error instanceof UserError && at) {
        throw new UserError(`${at}: ${error.message}`, error.hint)
      }
      throw error
    }
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateValues(item, env, `${at}[${index}]`))
  }
  if (isMapping(value)) {
    const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>
    for (const [key, item] of Object.entries(value)) {
      result[key] = interpolateValues(item, env, at ? `${at}.${key}` : key)
    }
    return result
  }
  return value
}

/** Runs `read`, naming `path` in the UserError it throws (unless a file is named already). */
function inFile<T>(path: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    // An included or extended file's error names that file already.
    if (
      error instanceof UserError &&
      !error.message.startsWith(path) &&
      !error.message.startsWith('/')
    ) {
      throw new UserError(`${path}: ${error.message}`, error.hint)
    }
    throw error
  }
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/**
 * `--profile` values as given; else COMPOSE_PROFILES split at commas and trimmed. With
 * neither, the empty profile is the active one, so `profiles: [""]` runs by default.
 */
export function activeProfiles(options: {profiles?: string[]; env: Env}): string[] {
  if (options.profiles && options.profiles.length > 0) return options.profiles
  return (lookup(options.env, 'COMPOSE_PROFILES') ?? '').split(',').map((profile) => profile.trim())
}

function isActive(profiles: readonly string[] | undefined, active: readonly string[]): boolean {
  if (!profiles || profiles.length === 0) return true
  return active.includes('*') || profiles.some((profile) => active.includes(profile))
}

/** What Compose checks of the active services before it accepts a project. */
function checkConsistency(declared: Declared, active: readonly ComposeService[]): void {
  const names = new Set(active.map((service) => service.name))
  const refuse = (message: string) =>
    new UserError(
      `${message}: invalid compose project`,
      'Docker Compose refuses this project too: fix the Compose file',
    )
  for (const {name} of active) {
    const layer = declared.services.get(name)
    if (!layer) continue
    if (!layer.build && layer.image === undefined) {
      throw refuse(`service "${name}" has neither an image nor a build context specified`)
    }
    for (const network of layer.networks) {
      if (network !== 'default' && !declared.networks.has(network)) {
        throw refuse(`service "${name}" refers to undefined network ${network}`)
      }
    }
    for (const {service, required} of layer.dependsOn) {
      if (names.has(service) || (!required && declared.services.has(service))) continue
      throw refuse(`service "${name}" depends on undefined service "${service}"`)
    }
    for (const volume of layer.volumes) {
      if (volume.named && !declared.volumes.has(volume.source)) {
        throw refuse(`service "${name}" refers to undefined volume ${volume.source}`)
      }
    }
  }
}

function composeService(
  name: string,
  layer: ServiceLayer,
  options: ComposeModelOptions,
): ComposeService {
  const service: ComposeService = {
    name,
    ports: layer.ports,
    environment: resolveEnvironment(layer, options),
  }
  if (layer.image !== undefined) service.image = layer.image
  if (layer.envFiles.length > 0) service.envFiles = layer.envFiles
  if (layer.volumes.length > 0) {
    service.volumes = layer.volumes.map(({source, target}) => `${source}:${target}`)
  }
  if (layer.profiles) service.profiles = layer.profiles
  if (layer.command) service.command = layer.command
  return withRole(service)
}

/** `environment` over the `env_file` files; a bare `KEY` takes the project environment's. */
function resolveEnvironment(
  layer: ServiceLayer,
  options: ComposeModelOptions,
): Record<string, string> {
  const resolved: Record<string, string> = {}
  for (const file of layer.envFiles) {
    const text = options.envFileTexts?.[file.path]
    if (text !== undefined) Object.assign(resolved, parseDotEnv(text, options.env))
  }
  for (const [key, value] of Object.entries(layer.environment)) {
    const effective = value ?? lookup(options.env, key)
    if (effective === undefined) delete resolved[key]
    else resolved[key] = effective
  }
  return resolved
}

// Project name

const VALID_PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/

/** `-p` > COMPOSE_PROJECT_NAME > `name:` > directory name, as Compose v2 picks it. */
export function projectName(sources: {
  flag?: string
  env?: string
  file?: string
  workingDir: string
}): string {
  for (const [given, origin] of [
    [sources.flag, '-p'],
    [sources.env, 'COMPOSE_PROJECT_NAME'],
  ] as const) {
    if (!given) continue
    // Compose refuses rather than normalises what the user typed.
    if (!VALID_PROJECT_NAME.test(given)) {
      throw new UserError(
        `invalid Compose project name "${given}" (from ${origin})`,
        'Use lowercase letters, digits, "-" and "_", starting with a letter or a digit',
      )
    }
    return given
  }
  const fromFile = sources.file ? normalizeProjectName(sources.file) : ''
  const name = fromFile || normalizeProjectName(baseName(sources.workingDir))
  if (!name) {
    throw new UserError(
      'the Compose project name is empty',
      'Pass -p NAME or set `name:` in the Compose file',
    )
  }
  return name
}

/** Compose's normalisation of `name:` and directory names. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-_a-z0-9]+/g, '')
    .replace(/^[-_]+/, '')
}

function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').at(-1) ?? ''
}
