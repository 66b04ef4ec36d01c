import {randomBytes} from 'node:crypto'
import {readdir, stat} from 'node:fs/promises'
import {isAbsolute, join, relative, resolve} from 'node:path'
import type {Compose} from '../adapters/compose.js'
import {
  attachmentHolders,
  forgetAttachments,
  readAttachments,
  recordAttachment,
  recordRoutes,
} from '../adapters/bridge-state.js'
import {releaseStateDir, type ForwardStateDir} from '../adapters/forward-state.js'
import {Postgres} from '../adapters/postgres.js'
import {readRegularFile} from '../adapters/regular-file.js'
import {
  planBridgeDatabases,
  reservedNames,
  type BridgeDatabasePlan,
} from '../core/bridge-databases.js'
import {
  parseBridgeServices,
  planRedisDatabase,
  redisDatabaseCount,
  redisDatabasesInUse,
  redisPassword,
} from '../core/bridge-redis.js'
import {
  BRIDGE_REDIS_SECRET,
  BRIDGE_SECRET,
  BRIDGE_SECRET_PASSWORD_KEY,
  bridgeRedisValues,
  bridgeValues,
  type BridgeRoute,
} from '../core/bridge-values.js'
import {mergeValues, type Values} from '../core/set-values.js'
import {
  findServiceByRole,
  type ComposePort,
  type ComposeProject,
  type ComposeService,
} from '../core/compose-model.js'
import {GeniroError, UsageError, UserError} from '../core/errors.js'
import {isLoopbackHost, kindNetworkName, validateHostAddress} from '../core/host-address.js'
import {listenPort} from '../core/listen-port.js'
import {ensureBridgeDatabases} from './bridge-databases.js'
import type {Target} from './cluster-target.js'
import {detectCompose} from './compose-detect.js'
import {attachFallback, checkGatewayPath, explainUnreachable, probeFromPod} from './reachability.js'
import type {Step} from './steps.js'
import type {Toolbox} from './toolbox.js'

const PROBE_TIMEOUT_SECONDS = 5
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
  const project = await detectCompose(
    {
      files: input.composeFiles,
      project: input.project,
      profiles: input.profiles,
      cwd: input.cwd,
      env: input.env,
      signal: input.signal,
    },
    compose,
  )
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

export interface BridgeContext {
  tools: Toolbox
  signal: AbortSignal
  note: (line: string) => void
  confirm: (question: string) => Promise<boolean>
  /** Plan only: no probe container, no attachment. */
  dryRun: boolean
}

/**
 * The route a plan or `values --mode bridge` shows without a cluster to probe from: the
 * given address, else the gateway of kind's network when it exists, else a placeholder.
 */
export async function plannedRoute(
  source: BridgeEndpoint,
  input: BridgeInput,
  docker: Toolbox['docker'],
): Promise<BridgeRoute> {
  if (input.hostAddress)
    return {host: validateHostAddress(input.hostAddress), port: source.published, path: 'given'}
  const network = kindNetworkName(input.env)
  // No engine to ask (values printed on another machine): the placeholder says what goes there.
  const host = await dockerHostAddress(docker, () => docker.networkGateway(network)).catch(
    (error: unknown) => {
      if (error instanceof GeniroError) return undefined
      throw error
    },
  )
  return {
    host: host ?? '<gateway of the cluster network, once it exists>',
    port: source.published,
    path: 'gateway',
  }
}

/**
 * How pods will reach a Compose service (the PostgreSQL, the Redis). kind (Linux engine): the
 * gateway of its Docker network at the published port, proven from a throwaway container on
 * that network; when that fails because the userland proxy is off, the Compose container is
 * attached to the network (with consent or --attach) and reached at its own address and
 * container port.
 */
export async function resolveRoute(
  source: BridgeEndpoint,
  target: Target,
  input: BridgeInput,
  ctx: BridgeContext,
): Promise<BridgeRoute & {network?: string; attachedContainer?: string}> {
  const {docker} = ctx.tools
  const provider = target.provider.name as 'kind' | 'minikube'
  const network = provider === 'kind' ? kindNetworkName(input.env) : target.cluster
  const gateway = await docker.networkGateway(network, ctx.signal)
  const host = input.hostAddress
    ? validateHostAddress(input.hostAddress)
    : await detectHostAddress(target, network, gateway, ctx)
  // Host address and published port: the route unless the attach fallback takes over.
  const direct: BridgeRoute = {
    host,
    port: source.published,
    path: input.hostAddress ? 'given' : 'gateway',
  }
  for (const warning of source.warnings) ctx.note(`Warning: ${warning}`)
  if (ctx.dryRun) return direct
  const vmDriver = provider === 'minikube' ? await minikubeVmDriver(target, ctx) : undefined
  if (vmDriver || gateway === undefined) {
    // No Docker network to join: a one-off pod checks PostgreSQL with pg_isready instead.
    if (!('plan' in source)) {
      ctx.note(
        `Note: not checking that pods reach ${source.service} at ${host}:${source.published} (no Docker network to probe from)`,
      )
      return direct
    }
    const probe = await probeFromPod(ctx.tools.kubectl, {
      kubeContext: target.kubeContext,
      image: input.podProbeImage,
      host,
      port: source.published,
      timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      signal: ctx.signal,
    })
    if (probe.reachable) return direct
    throw new UserError(
      `pods of the ${provider} cluster "${target.cluster}"${vmDriver ? ` (driver ${vmDriver})` : ''} cannot reach ${source.service} at ${host}:${source.published}: ${probe.detail}`,
      provider === 'minikube'
        ? `publish the port on all addresses (not 127.0.0.1), allow it in the host firewall for minikube's network, or pass --host-address with the host's address as the VM sees it`
        : `publish the port on all addresses (not 127.0.0.1), or pass --host-address with an address the pods reach`,
    )
  }
  const probe = await checkGatewayPath(docker, {
    network,
    host,
    port: source.published,
    image: input.probeImage,
    timeoutSeconds: PROBE_TIMEOUT_SECONDS,
    signal: ctx.signal,
  })
  if (probe.reachable) return direct
  const why = explainUnreachable(probe, {
    provider,
    host,
    port: source.published,
    publishedOnLoopbackOnly: source.loopbackOnly,
  })
  // A refused port is the stack being down, not the proxy: attaching would not help.
  const container = source.container
  if (!container || (probe.reason === 'refused' && !source.loopbackOnly)) {
    throw new UserError(why.message, why.hint)
  }
  ctx.note(why.message)
  const consent =
    input.attach ||
    (await ctx.confirm(
      `Connect the Compose container "${container}" to the Docker network "${network}" (undone by \`geniro-dev down\`)?`,
    ))
  if (!consent) throw new UserError(why.message, why.hint)
  const attached = await attachFallback(docker, {
    network,
    container,
    containerPort: source.target,
    image: input.probeImage,
    timeoutSeconds: PROBE_TIMEOUT_SECONDS,
    signal: ctx.signal,
  })
  // Ours when we connected it, or shared when another release's bridge did (it stays until
  // the last release that records it is down); a container the user attached is never ours.
  const ours = releaseStateDir(target)
  if (
    attached.connected === 'connected' ||
    attachmentHolders({network, container}, [ours]).length > 0
  ) {
    recordAttachment(ours, {network, container})
  }
  return {
    host: attached.address,
    port: attached.port,
    path: 'attached',
    network,
    attachedContainer: container,
  }
}

/** minikube's driver for the profile when it is a VM (kvm2, qemu2, …), not a container. */
async function minikubeVmDriver(target: Target, ctx: BridgeContext): Promise<string | undefined> {
  const profile = (await ctx.tools.providers.minikube.profiles(ctx.signal)).find(
    (p) => p.name === target.cluster,
  )
  const driver = profile?.driver
  return driver && !['docker', 'podman'].includes(driver) ? driver : undefined
}

async function detectHostAddress(
  target: Target,
  network: string,
  gateway: string | undefined,
  ctx: BridgeContext,
): Promise<string> {
  if (target.provider.name === 'minikube') {
    const address = await ctx.tools.providers.minikube.hostAddress(target.cluster, ctx.signal)
    if (address) return address
    throw new UserError(
      `cannot tell the address of host.minikube.internal in the minikube profile "${target.cluster}"`,
      'pass --host-address with an address its pods reach the host at',
    )
  }
  const address = await dockerHostAddress(ctx.tools.docker, async () => gateway)
  if (address) return address
  throw new UserError(
    `the Docker network "${network}" has no IPv4 gateway to reach the host at`,
    'create the cluster first (`geniro-dev up`), or pass --host-address',
  )
}

/** Where a kind cluster's pods reach the host: Docker Desktop's name, else the network gateway. */
async function dockerHostAddress(
  docker: Toolbox['docker'],
  gateway: () => Promise<string | undefined>,
): Promise<string | undefined> {
  return (await docker.isDesktop()) ? 'host.docker.internal' : gateway()
}

/**
 * `down`: disconnects the Compose containers bridge mode attached for the state dirs being
 * torn down (the release's, or with --delete-cluster every release's of the cluster), then
 * forgets them. A container another release still records stays attached.
 */
export function detachStep(
  dirs: readonly ForwardStateDir[],
  tools: Toolbox,
): Step & {detaches: boolean} {
  const recorded = dirs.flatMap((dir) => readAttachments(dir))
  const unique = recorded.filter(
    (a, i) =>
      recorded.findIndex((b) => b.network === a.network && b.container === a.container) === i,
  )
  const detach = unique.filter((a) => attachmentHolders(a, dirs).length === 0)
  const [first] = detach
  const names = detach.map((a) => `"${a.container}"`).join(', ')
  const kept = unique.length - detach.length
  return {
    detaches: first !== undefined,
    title: first
      ? `Disconnect Compose container${detach.length > 1 ? 's' : ''} ${names} from Docker network "${first.network}"`
      : kept > 0
        ? `Keep Compose container${kept > 1 ? 's' : ''} attached: another release bridges to ${kept > 1 ? 'them' : 'it'}`
        : 'Disconnect the Compose container bridge mode attached',
    ...(first
      ? {command: ['docker', 'network', 'disconnect', first.network, first.container]}
      : kept > 0
        ? {}
        : {skip: 'none attached'}),
    run: async (signal) => {
      for (const attachment of detach) {
        await tools.docker.disconnectNetwork(attachment.network, attachment.container, signal)
      }
      for (const dir of dirs) await forgetAttachments(dir)
    },
  }
}

/** The Compose Redis's password, and whether the release's Secret already holds exactly it. */
export async function bridgeRedisSecret(
  redis: BridgeRedisSource,
  target: Target,
  tools: Toolbox,
  signal: AbortSignal,
): Promise<{password: string; stored: boolean}> {
  const existing = await tools.kubectl.secretData(
    BRIDGE_REDIS_SECRET,
    target.namespace,
    target.kubeContext,
    signal,
  )
  return {
    password: redis.password,
    stored: existing?.[BRIDGE_SECRET_PASSWORD_KEY] === redis.password,
  }
}

/** The role's password: kept in the release's Secret, so a re-run reuses it. */
export async function bridgePassword(target: Target, tools: Toolbox, signal: AbortSignal) {
  const existing = await tools.kubectl.secretData(
    BRIDGE_SECRET,
    target.namespace,
    target.kubeContext,
    signal,
  )
  const kept = existing?.[BRIDGE_SECRET_PASSWORD_KEY]
  return kept
    ? {password: kept, stored: true}
    : {password: randomBytes(24).toString('base64url'), stored: false}
}

/**
 * The bridge's steps before the install: the cluster's own role and databases on the
 * Compose server, then the Secret holding the role's password (created once, then reused),
 * and with --bridge-services redis the Secret holding the Compose Redis's password (applied
 * when it differs).
 */
export function bridgeSteps(
  source: BridgeSource,
  target: Target,
  password: {password: string; stored: boolean},
  tools: Toolbox,
  redisPassword?: {password: string; stored: boolean},
): Step[] {
  const names = source.plan.databases.map((d) => d.name).join(', ')
  return [
    {
      title: `Ensure role "${source.plan.role}" and databases ${names} on ${source.service} (127.0.0.1:${source.published})`,
      run: async (signal) => {
        const pg = new Postgres(
          {
            host: '127.0.0.1',
            port: source.published,
            user: source.admin.user,
            password: source.admin.password,
          },
          {signal},
        )
        try {
          const owner = {
            context: target.kubeContext,
            namespace: target.namespace,
            release: target.release,
          }
          await ensureBridgeDatabases(pg, source.plan, owner, password.password)
        } finally {
          await pg.close()
        }
      },
    },
    secretStep(target, tools, {
      title: `Create Secret "${BRIDGE_SECRET}" with the role's password in namespace "${target.namespace}"`,
      name: BRIDGE_SECRET,
      data: {username: source.plan.role, [BRIDGE_SECRET_PASSWORD_KEY]: password.password},
      skip: password.stored ? 'exists; its password is reused' : undefined,
    }),
    ...(source.redis && redisPassword
      ? [
          secretStep(target, tools, {
            title: `Create Secret "${BRIDGE_REDIS_SECRET}" with the password of the Compose Redis "${source.redis.service}"${source.redis.password ? '' : ' (it has none: empty)'} in namespace "${target.namespace}"`,
            name: BRIDGE_REDIS_SECRET,
            data: {[BRIDGE_SECRET_PASSWORD_KEY]: redisPassword.password},
            skip: redisPassword.stored ? 'exists with this password' : undefined,
          }),
        ]
      : []),
  ]
}

/** A Secret of geniro-dev's in the release namespace, applied through stdin (never an argv). */
function secretStep(
  target: Target,
  tools: Toolbox,
  secret: {title: string; name: string; data: Record<string, string>; skip?: string},
): Step {
  return {
    title: secret.title,
    command: ['kubectl', ...tools.kubectl.applyArgs(target.kubeContext, target.namespace)],
    ...(secret.skip ? {skip: secret.skip} : {}),
    run: (signal) =>
      tools.kubectl.apply(
        secretObjects(target.namespace, secret.name, secret.data),
        target.kubeContext,
        target.namespace,
        signal,
      ),
  }
}

function secretObjects(
  namespace: string,
  name: string,
  stringData: Record<string, string>,
): unknown[] {
  const labels = {'app.kubernetes.io/managed-by': 'geniro-dev'}
  return [
    {apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}},
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {name, namespace, labels},
      stringData,
    },
  ]
}

/** What `up` reports of bridge mode. */
export interface BridgeSummary {
  project: string
  service: string
  route: BridgeRoute
  role: string
  databases: string[]
  secret: string
  /** --bridge-services redis: the Compose Redis the cluster shares, and its own database there. */
  redis?: {
    service: string
    host: string
    port: number
    path: BridgeRoute['path']
    database: number
    secret: string
  }
}

/**
 * Bridge mode's part of `up`, once the cluster exists (or, with `planOnly`, for a plan of a
 * cluster still to be created): how pods reach each shared Compose service, the passwords,
 * the values layer, the steps before the install, and the routes `ports`/`status` show.
 */
export async function prepareBridge(
  source: BridgeSource,
  target: Target,
  input: BridgeInput,
  ctx: BridgeContext & {planOnly: boolean},
): Promise<{layer: {label: string; values: Values}; steps: Step[]; summary: BridgeSummary}> {
  const {tools, signal, planOnly} = ctx
  const routeOf = (endpoint: BridgeEndpoint) =>
    planOnly
      ? plannedRoute(endpoint, input, tools.docker)
      : resolveRoute(endpoint, target, input, ctx)
  const route = await routeOf(source)
  const password = planOnly
    ? {password: '', stored: false}
    : await bridgePassword(target, tools, signal)
  // --bridge-services redis: proven the same way, then its own database and Secret.
  const redis = source.redis
  const redisRoute = redis ? await routeOf(redis) : undefined
  const redisSecret = redis
    ? planOnly
      ? {password: redis.password, stored: false}
      : await bridgeRedisSecret(redis, target, tools, signal)
    : undefined
  const redisValues =
    redis && redisRoute
      ? bridgeRedisValues({
          route: redisRoute,
          database: redis.database,
          auth: redis.password !== '',
        })
      : {}
  const layer = {
    label:
      `bridge values (Compose ${source.project}/${source.service}, pods reach it at ${route.host}:${route.port}, ${route.path} path` +
      (redis && redisRoute
        ? `; Redis ${redis.service} at ${redisRoute.host}:${redisRoute.port}, database ${redis.database}, ${redisRoute.path} path)`
        : ')'),
    values: mergeValues(bridgeValues(route, source.plan), redisValues),
  }
  const summary: BridgeSummary = {
    project: source.project,
    service: source.service,
    route,
    role: source.plan.role,
    databases: source.plan.databases.map((d) => d.name),
    secret: BRIDGE_SECRET,
    ...(redis && redisRoute
      ? {
          redis: {
            service: redis.service,
            host: redisRoute.host,
            port: redisRoute.port,
            path: redisRoute.path,
            database: redis.database,
            secret: BRIDGE_REDIS_SECRET,
          },
        }
      : {}),
  }
  // What `ports` and `status` show as the path in use.
  if (!ctx.dryRun) {
    recordRoutes(releaseStateDir(target), [
      {service: 'postgresql', composeService: source.service, ...route},
      ...(redis && redisRoute
        ? [{service: 'redis' as const, composeService: redis.service, ...redisRoute}]
        : []),
    ])
  }
  return {layer, steps: bridgeSteps(source, target, password, tools, redisSecret), summary}
}
