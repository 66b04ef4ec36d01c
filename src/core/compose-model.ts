/**
 * The Compose project as geniro-dev needs it: which ports each service publishes, what
 * image it runs, its environment and its volumes. Built from the Compose files' text the
 * way Docker Compose v2 resolves them (interpolation, .env, profiles, merged files and
 * documents, `include:`, `extends:`, `!reset`/`!override`, project name), and checked
 * against `docker compose config` in test/integration/compose-config.
 */
import {parseDotEnv, type Env} from './compose-env.js'
import {
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
import type {ServiceRole} from './compose-roles.js'
import {parseComposeYaml, type ComposeYamlDocument} from './compose-yaml.js'
import {UserError} from './errors.js'
import {
  extendsOf,
  importResources,
  inFile,
  includeEntry,
  interpolateValues,
  resourcesOf,
  servicesOf,
  unknownBase,
} from './compose-include.js'
import {
  activeProfiles,
  checkConsistency,
  composeService,
  definedOnly,
  isActive,
  projectName,
} from './compose-project.js'

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
export interface Declared {
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
