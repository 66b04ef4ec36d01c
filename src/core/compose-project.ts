// What a loaded Compose model becomes a project by: the active profiles and services, the
// consistency checks Compose makes, each service's environment, and the project name.
import {lookup, parseDotEnv, type Env} from './compose-env.js'
import type {ServiceLayer} from './compose-layers.js'
import {withRole} from './compose-roles.js'
import {UserError} from './errors.js'
import type {ComposeModelOptions, ComposeService, Declared} from './compose-model.js'

export function definedOnly(env: Env): Record<string, string> {
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

export function isActive(
  profiles: readonly string[] | undefined,
  active: readonly string[],
): boolean {
  if (!profiles || profiles.length === 0) return true
  return active.includes('*') || profiles.some((profile) => active.includes(profile))
}

/** What Compose checks of the active services before it accepts a project. */
export function checkConsistency(declared: Declared, active: readonly ComposeService[]): void {
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

export function composeService(
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
