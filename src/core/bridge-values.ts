import type {BridgeDatabasePlan} from './bridge-databases.js'
import type {Values} from './set-values.js'

/** The Secret geniro-dev creates in the release namespace for the bridge role's password. */
export const BRIDGE_SECRET = 'geniro-dev-bridge-postgresql'
export const BRIDGE_SECRET_PASSWORD_KEY = 'password'
/** The Secret holding the Compose Redis's password (--bridge-services redis); same key. */
export const BRIDGE_REDIS_SECRET = 'geniro-dev-bridge-redis'

/** How pods reach a Compose service (PostgreSQL, or Redis with --bridge-services redis). */
export interface BridgeRoute {
  host: string
  port: number
  /**
   * gateway: the host address and the published port; attached: the Compose container
   * joined the cluster's Docker network and is reached at its address there, on its
   * container port (the userland proxy is off); given: --host-address, not probed.
   */
  path: 'gateway' | 'attached' | 'given'
}

/**
 * The values bridge mode layers over the isolated ones: no PostgreSQL of the chart's own,
 * the Compose server at the route's address, the cluster's own databases (never the
 * stack's), and the role's password from a Secret (never in a values file).
 */
export function bridgeValues(route: BridgeRoute, plan: BridgeDatabasePlan): Values {
  const database = (purpose: string) => plan.databases.find((d) => d.purpose === purpose)!.name
  return {
    postgresql: {enabled: false},
    externalPostgresql: {
      enabled: true,
      host: route.host,
      port: route.port,
      username: plan.role,
      database: database('api'),
      sslMode: 'disable',
      existingSecret: BRIDGE_SECRET,
      existingSecretPasswordKey: BRIDGE_SECRET_PASSWORD_KEY,
    },
    keycloak: {database: database('keycloak')},
    litellm: {database: database('litellm')},
  }
}

/** The Compose Redis as bridge mode shares it: where pods reach it, and the cluster's database. */
export interface BridgeRedis {
  route: BridgeRoute
  database: number
  /** The stack's Redis asks for a password (kept in BRIDGE_REDIS_SECRET, never in values). */
  auth: boolean
}

/**
 * The values sharing the Compose Redis: no Redis of the chart's own, the Compose server at the
 * route's address, a logical database the stack does not use, and its password from a Secret.
 */
export function bridgeRedisValues(redis: BridgeRedis): Values {
  return {
    redis: {enabled: false},
    externalRedis: {
      enabled: true,
      host: redis.route.host,
      port: redis.route.port,
      database: redis.database,
      auth: redis.auth,
      existingSecret: BRIDGE_REDIS_SECRET,
      existingSecretPasswordKey: BRIDGE_SECRET_PASSWORD_KEY,
    },
  }
}
