// Bridge mode, first: what it reads before anything changes — the Compose PostgreSQL (and
// Redis) it shares, how each is published, and the names the stack reserves.
import {readdir, stat} from 'node:fs/promises'
import {isAbsolute, join, relative, resolve} from 'node:path'
import type {Compose} from '../../adapters/compose.js'
import {readRegularFile} from '../../adapters/regular-file.js'
import {planBridgeDatabases, type BridgeDatabasePlan} from '../../core/bridge-databases.js'
import {reservedNames} from '../../core/reserved-names.js'
import {
  parseBridgeServices,
  planRedisDatabase,
  redisDatabaseCount,
  redisDatabasesInUse,
  redisPassword,
} from '../../core/bridge-redis.js'
import {
  findServiceByRole,
  type ComposePort,
  type ComposeProject,
  type ComposeService,
} from '../../core/compose-model.js'
import {UsageError, UserError} from '../../core/errors.js'
import {isLoopbackHost} from '../../core/host-address.js'
import {listenPort} from '../../core/listen-port.js'
import {detectSelectedCompose} from '../compose-detect.js'

const INIT_DIR = '/docker-entrypoint-initdb.d'
const MAX_INIT_SCRIPT_BYTES = 64 * 2 ** 20

export interface BridgeInput {
  /** Compose files (arguments or --compose-file); empty: Compose's own discovery. */
  composeFiles: string[]
  project?: string
  /** --profile (repeatable): the Compose profiles that are active. */
  profiles?: string[]
  /** Ctrl-C: stops reading and parsing the Compose files. */
  signal?: AbortSignal
  /** --compose-service: which service is the PostgreSQL, when the guess is ambiguous. */
  composeService?: string
  /** --host-address: how pods reach the host, instead of detecting it. */
  hostAddress?: string
  /** --attach: connect the Compose container to the cluster's network when the gateway fails. */
  attach: boolean
  database?: string
  dbSuffix?: string
  pgUser?: string
  pgPassword?: string
  probeImage: string
  /** The one-off pod's image where no Docker network can be joined (minikube VM drivers). */
  podProbeImage: string
  /** --bridge-services: Compose data services shared too (redis; qdrant is refused). */
  bridgeServices: string[]
  /** --redis-database: the cluster's logical database on the Compose Redis (default 1). */
  redisDatabase?: number
  cwd: string
  env: Record<string, string | undefined>
}

/** The admin password is needed to create databases (not to print values): checked before any change. */
export function requireAdminPassword(source: BridgeSource): void {
  if (!source.admin.password) {
    throw new UserError(
      `no password for the PostgreSQL user "${source.admin.user}" of Compose service "${source.service}"`,
      'pass --pg-password (or set PGPASSWORD); the service sets none in POSTGRES_PASSWORD',
    )
  }
}

/** A Compose service pods are to reach: where it is published, and its container. */
export interface BridgeEndpoint {
  service: string
  /** The running container, for the attach fallback. */
  container?: string
  /** The host port Compose publishes the service on, and the container port behind it. */
  published: number
  target: number
  /** Published only on a loopback address: pods cannot reach it through the gateway. */
  loopbackOnly: boolean
  /** What the user should know before relying on the route (printed by bridge and values). */
  warnings: string[]
}

/** The Compose Redis shared with --bridge-services redis. */
export interface BridgeRedisSource extends BridgeEndpoint {
  /** The password it asks for; '' when none. */
  password: string
  /** The cluster's own logical database on it, one the stack does not use. */
  database: number
}

/** What bridge mode found in the Compose project; nothing has changed yet. */
export interface BridgeSource extends BridgeEndpoint {
  project: string
  admin: {user: string; password: string}
  plan: BridgeDatabasePlan
  /** --bridge-services redis. */
  redis?: BridgeRedisSource
}

/**
 * Finds the Compose PostgreSQL (running project first, files otherwise), its published port
 * and admin credentials, and plans the cluster's own databases, refusing any name the stack
 * uses; with --bridge-services redis also the Compose Redis and the cluster's own logical
 * database there (refusing Qdrant outright). Reads only: a refusal changes nothing.
 */
export async function planBridge(input: BridgeInput, compose: Compose): Promise<BridgeSource> {
  // Refused before the Compose project is even read: Qdrant is never shared.
  const shared = parseBridgeServices(input.bridgeServices)
  if (input.redisDatabase !== undefined && !shared.includes('redis')) {
    throw new UsageError(
      '--redis-database only applies with --bridge-services redis',
      'add --bridge-services redis, or drop --redis-database',
    )
  }
  const project = await detectSelectedCompose(input, compose)
  const service = findServiceByRole(project, 'postgresql', input.composeService)
  const endpoint = composeEndpoint(project, service, {
    label: 'PostgreSQL',
    role: 'postgresql',
    example: '5439:5432',
  })
  const admin = {
    user: input.pgUser ?? input.env.PGUSER ?? service.environment.POSTGRES_USER ?? 'postgres',
    password:
      input.pgPassword ?? input.env.PGPASSWORD ?? service.environment.POSTGRES_PASSWORD ?? '',
  }
  const plan = planBridgeDatabases({
    database: input.database,
    suffix: input.dbSuffix,
    reserved: reservedNames({
      services: project.services,
      postgres: service,
      initScripts: await initScripts(service, project.workingDir),
    }),
  })
  return {
    project: project.name,
    ...endpoint,
    admin,
    plan,
    ...(shared.includes('redis') ? {redis: planRedis(project, input)} : {}),
  }
}

/**
 * The Compose Redis, its password and the cluster's own database on it: refused when the
 * requested database is one any Compose service uses (0 always is). Reads only.
 */
function planRedis(project: ComposeProject, input: BridgeInput): BridgeRedisSource {
  let service: ComposeService
  try {
    service = findServiceByRole(project, 'redis')
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    throw new UserError(
      error.message,
      'keep one Redis service in the Compose project, or drop --bridge-services redis (Redis then stays in the cluster)',
    )
  }
  const endpoint = composeEndpoint(project, service, {
    label: 'Redis',
    role: 'redis',
    example: '6379:6379',
  })
  const database = planRedisDatabase({
    requested: input.redisDatabase,
    inUse: redisDatabasesInUse(project.services),
    count: redisDatabaseCount(service),
    service: service.name,
  })
  return {...endpoint, password: redisPassword(service), database}
}

/**
 * A running Compose service and the host port it publishes for the container port its server
 * listens on (see listenPort), with what pods and the user should know about it: published on
 * a loopback address only, or on a host range whose port only the running engine knows.
 */
function composeEndpoint(
  project: ComposeProject,
  service: ComposeService,
  what: {label: string; role: 'postgresql' | 'redis'; example: string},
): BridgeEndpoint {
  if (service.state !== undefined && service.state !== 'running') {
    throw new UserError(
      `the Compose ${what.label} service "${service.name}" of project "${project.name}" is ${service.state}`,
      `start it: docker compose -p ${project.name} up -d ${service.name}`,
    )
  }
  const listen = listenPort(service, what.role)
  const tcp = service.ports.filter((p) => p.protocol === 'tcp')
  if (tcp.length === 0) {
    throw new UserError(
      `the Compose ${what.label} service "${service.name}" publishes no TCP port`,
      `publish it (e.g. ports: ["${what.example}"]) so the cluster and geniro-dev can reach it`,
    )
  }
  // Several addresses may publish it: one all pods can reach first.
  const candidates = tcp.filter((p) => p.target === listen.port)
  const port = candidates.find((p) => !isLoopbackOnly(p)) ?? candidates[0]
  if (!port) {
    const published = tcp.map((p) => `${p.published}->${p.target}`).join(', ')
    throw new UserError(
      `the Compose ${what.label} service "${service.name}" listens on container port ${listen.port} (${listen.source}) but publishes only ${published}`,
      `publish container port ${listen.port} (e.g. ports: ["${what.example.split(':')[0]}:${listen.port}"])`,
    )
  }
  const warnings: string[] = []
  if (isLoopbackOnly(port)) {
    warnings.push(
      `Compose publishes ${service.name} on ${port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp}:${port.published} only; pods cannot reach that through the host (publish it on all addresses, or let geniro-dev attach the container)`,
    )
  }
  if (port.publishedRangeEnd !== undefined && service.state === undefined) {
    warnings.push(
      `Compose publishes ${service.name} on the host range ${port.published}-${port.publishedRangeEnd}; the engine picks one when the stack starts, so ${port.published} is a guess (start the stack and run this again for the real port)`,
    )
  }
  return {
    service: service.name,
    container: service.containerName,
    published: port.published,
    target: port.target,
    loopbackOnly: isLoopbackOnly(port),
    warnings,
  }
}

function isLoopbackOnly(port: ComposePort): boolean {
  return port.hostIp !== '' && isLoopbackHost(port.hostIp)
}

/**
 * The .sql/.sh files the service mounts into the image's init directory, to find the names
 * they create. Only regular files are read (a FIFO would hang the plan); an unreadable one, or
 * one over MAX_INIT_SCRIPT_BYTES (a data dump), is skipped.
 */
async function initScripts(
  service: ComposeService,
  workingDir: string,
): Promise<{file: string; text: string}[]> {
  const scripts: {file: string; text: string}[] = []
  for (const volume of service.volumes ?? []) {
    const colon = volume.lastIndexOf(':')
    const source = volume.slice(0, colon)
    const targetPath = volume.slice(colon + 1)
    if (colon <= 0 || !(targetPath === INIT_DIR || targetPath.startsWith(`${INIT_DIR}/`))) continue
    if (!/^[./~]/.test(source)) continue // A named volume: nothing to read.
    const path = isAbsolute(source) ? source : resolve(workingDir, source)
    const info = await stat(path).catch(() => undefined)
    const files = info?.isDirectory()
      ? (await readdir(path).catch(() => []))
          .filter((f) => /\.(sql|sh)$/.test(f))
          .map((f) => join(path, f))
      : info
        ? [path]
        : []
    for (const file of files) {
      const size = (await stat(file).catch(() => undefined))?.size ?? 0
      if (size > MAX_INIT_SCRIPT_BYTES) continue
      const read = await readRegularFile(file, 'init script', MAX_INIT_SCRIPT_BYTES)
      if (read.ok) scripts.push({file: relative(workingDir, file) || file, text: read.text})
    }
  }
  return scripts
}
