// Bridge mode's part of `up`: the route, passwords, values and steps, put together.
import {recordRoutes} from '../../adapters/bridge-state.js'
import {
  BRIDGE_REDIS_SECRET,
  BRIDGE_SECRET,
  BRIDGE_SECRET_PASSWORD_KEY,
  bridgeRedisValues,
  bridgeValues,
  type BridgeRoute,
} from '../../core/bridge-values.js'
import {mergeValues, type Values} from '../../core/set-values.js'
import {ensureBridgeDatabases} from './databases.js'
import type {Target} from '../cluster-target.js'
import type {Step} from '../steps.js'
import type {Toolbox} from '../toolbox.js'
import type {BridgeEndpoint, BridgeInput, BridgeSource} from './plan.js'
import {type BridgeContext, plannedRoute, resolveRoute} from './route.js'
import {bridgePassword, bridgeRedisSecret, secretStep} from './secrets.js'

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
        const pg = tools.postgres(
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
    planOnly ? plannedRoute(endpoint, input, tools) : resolveRoute(endpoint, target, input, ctx)
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
    recordRoutes(ctx.tools.state.releaseDir(target), [
      {service: 'postgresql', composeService: source.service, ...route},
      ...(redis && redisRoute
        ? [{service: 'redis' as const, composeService: redis.service, ...redisRoute}]
        : []),
    ])
  }
  return {layer, steps: bridgeSteps(source, target, password, tools, redisSecret), summary}
}
