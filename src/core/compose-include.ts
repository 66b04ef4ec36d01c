// How composeModel reads more than one file: `include:` entries, `extends:` bases, the
// resources an included file brings, and interpolation of every value, as Compose v2 does.
import {interpolate, type Env} from './compose-env.js'
import {canonicalJson, type ServiceLayer} from './compose-layers.js'
import {isMapping} from './compose-ports.js'
import {UserError} from './errors.js'
import type {Declared} from './compose-model.js'

export function servicesOf(
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
export function resourcesOf(content: Record<string, unknown>, kind: string): Map<string, string> {
  const value = Object.hasOwn(content, kind) ? content[kind] : undefined
  if (value === undefined || value === null) return new Map()
  if (!isMapping(value)) throw new UserError(`${kind} must be a mapping`)
  return new Map(Object.entries(value).map(([name, item]) => [name, canonicalJson(item ?? null)]))
}

export function includeEntry(entry: unknown): {
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

export function extendsOf(value: unknown, service: string): {service: string; file?: string} {
  if (typeof value === 'string') return {service: value}
  if (isMapping(value) && typeof value.service === 'string') {
    if (value.file === undefined || value.file === null) return {service: value.service}
    if (typeof value.file === 'string') return {service: value.service, file: value.file}
  }
  throw new UserError(
    `services.${service}.extends must name a service (extends: db, or {service: db, file: base.yaml})`,
  )
}

export function unknownBase(service: string, base: string, path: string): UserError {
  return new UserError(
    `cannot extend service "${service}" in ${path}: service "${base}" not found`,
    'Check the `extends:` of the service',
  )
}

/**
 * compose-go's importResources: an included project's services, volumes and networks join
 * the including file's; a name both define is refused unless the definitions are the same.
 */
export function importResources(imported: Declared, into: Declared): void {
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
export function interpolateValues(value: unknown, env: Env, at: string): unknown {
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
export function inFile<T>(path: string, read: () => T): T {
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
