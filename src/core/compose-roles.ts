/**
 * Which Compose service plays which part (PostgreSQL, Redis, …): by its image, else by a
 * well-known container port.
 */
import type {ComposePort} from './compose-ports.js'
import type {ComposeProject, ComposeService} from './compose-model.js'
import {UserError} from './errors.js'

export type ServiceRole = 'postgresql' | 'redis' | 'qdrant' | 'litellm' | 'keycloak'

const ROLE_LABELS: Record<ServiceRole, string> = {
  postgresql: 'PostgreSQL',
  redis: 'Redis',
  qdrant: 'Qdrant',
  litellm: 'LiteLLM',
  keycloak: 'Keycloak',
}

/** Image names (the last path segment, without registry or tag) of each role. */
const ROLE_IMAGES: ReadonlyArray<[ServiceRole, RegExp]> = [
  [
    'postgresql',
    /^(postgres|postgresql|postgresql-repmgr|postgis|pgvector|pgvecto-rs|timescaledb(-ha|-postgis)?|paradedb)$/,
  ],
  ['redis', /^(redis|redis-stack|redis-stack-server|valkey|keydb)$/],
  ['qdrant', /^qdrant$/],
  ['litellm', /^litellm(-database|-non_root)?$/],
  ['keycloak', /^keycloak$/],
]

/** Container ports that give a role away when the image does not. */
const ROLE_PORTS: ReadonlyArray<[ServiceRole, number]> = [
  ['postgresql', 5432],
  ['redis', 6379],
  ['qdrant', 6333],
  ['litellm', 4000],
]

/** The repository's last segment: `ghcr.io/berriai/litellm:main` → `litellm`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? ''
  const lastSegment = withoutDigest.split('/').at(-1) ?? ''
  return lastSegment.split(':')[0]?.toLowerCase() ?? ''
}

export function serviceRole(service: {
  image?: string
  ports: readonly ComposePort[]
}): ServiceRole | undefined {
  return recogniseRole(service)?.role
}

function recogniseRole(service: {
  image?: string
  ports: readonly ComposePort[]
}): {role: ServiceRole; by: 'image' | 'port'} | undefined {
  if (service.image) {
    const name = imageName(service.image)
    const byImage = ROLE_IMAGES.find(([, pattern]) => pattern.test(name))?.[0]
    if (byImage) return {role: byImage, by: 'image'}
  }
  for (const port of service.ports) {
    const byPort = ROLE_PORTS.find(([, target]) => target === port.target)?.[0]
    if (byPort) return {role: byPort, by: 'port'}
  }
  return undefined
}

/** The service with its role (and what gave it away) filled in from its image and ports. */
export function withRole<T extends ComposeService>(service: T): T {
  const recognised = recogniseRole({
    image: service.image,
    ports: [...service.ports, ...(service.declaredPorts ?? [])],
  })
  const result = {...service}
  delete result.role
  delete result.roleBy
  if (recognised) Object.assign(result, {role: recognised.role, roleBy: recognised.by})
  return result
}

/**
 * The one service playing `role`, or the one named by `override` (--compose-service). An
 * image match beats a port match; otherwise more than one candidate is ambiguous. A service
 * left out by its profiles is named with the profile that activates it.
 */
export function findServiceByRole(
  project: ComposeProject,
  role: ServiceRole,
  override?: string,
): ComposeService {
  const label = ROLE_LABELS[role]
  const names = project.services.map((service) => service.name)
  const inactive = project.inactive ?? []
  if (override !== undefined) {
    const chosen = project.services.find((service) => service.name === override)
    if (chosen) return chosen
    const dormant = inactive.find((service) => service.name === override)
    if (dormant) throw notActive(project, [dormant], `no active service "${override}"`)
    throw new UserError(
      `Compose project "${project.name}" has no service "${override}"`,
      `Its services: ${names.join(', ') || 'none'}`,
    )
  }
  const candidates = project.services.filter((service) => service.role === role)
  const byImage = candidates.filter((service) => service.roleBy === 'image')
  const preferred = byImage.length > 0 ? byImage : candidates
  if (preferred.length === 1 && preferred[0]) return preferred[0]
  if (preferred.length === 0) {
    const dormant = inactive.filter((service) => service.role === role)
    if (dormant.length > 0) throw notActive(project, dormant, `no active ${label} service`)
    throw new UserError(
      `no ${label} service found in Compose project "${project.name}"`,
      names.length > 0
        ? `Pass --compose-service NAME to pick one of: ${names.join(', ')}`
        : 'The project has no active service',
    )
  }
  throw new UserError(
    `more than one ${label} service in Compose project "${project.name}": ${preferred
      .map((service) => service.name)
      .join(', ')}`,
    'Pass --compose-service NAME to pick one',
  )
}

/** The services are there, under a profile that is not active: name it, and the flag. */
function notActive(
  project: ComposeProject,
  services: readonly ComposeService[],
  what: string,
): UserError {
  const described = services.map((service) => {
    const profiles = (service.profiles ?? []).map((profile) => JSON.stringify(profile))
    return `${service.name} is under profile ${profiles.join(' or ')}`
  })
  const profile = services[0]?.profiles?.[0] ?? ''
  const flag = /^[\w.-]+$/.test(profile) ? profile : JSON.stringify(profile)
  return new UserError(
    `${what} in Compose project "${project.name}": ${described.join('; ')}, which is not active`,
    `Pass --profile ${flag} (or set COMPOSE_PROFILES=${flag}), as for docker compose`,
  )
}
