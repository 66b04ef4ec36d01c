import {Flags} from '@oclif/core'
import {composeFiles, composeFlags} from './compose-flags.js'

/** Flags of bridge mode (`bridge`, `up --mode bridge`, `values --mode bridge`). */
export const bridgeFlags = {
  ...composeFlags,
  'compose-service': Flags.string({
    helpGroup: 'BRIDGE',
    description: 'The Compose service that is PostgreSQL, when the guess is ambiguous.',
  }),
  'host-address': Flags.string({
    helpGroup: 'BRIDGE',
    env: 'GENIRO_DEV_HOST_ADDRESS',
    description:
      "Address pods reach the host at (default: the kind network's gateway, host.docker.internal on Docker Desktop, host.minikube.internal's address on minikube). Never localhost.",
  }),
  attach: Flags.boolean({
    default: false,
    helpGroup: 'BRIDGE',
    description:
      "If pods cannot reach the published port (Docker's userland proxy is off), connect the Compose container to the cluster's Docker network without asking (`down` disconnects it).",
  }),
  database: Flags.string({
    helpGroup: 'BRIDGE',
    description: "The API's database on the Compose server (default geniro_k8s).",
  }),
  'db-suffix': Flags.string({
    helpGroup: 'BRIDGE',
    description:
      'Suffix of the cluster’s databases and role (default _k8s: geniro_k8s, keycloak_k8s, litellm_k8s).',
  }),
  'pg-user': Flags.string({
    helpGroup: 'BRIDGE',
    description:
      "Admin user of the Compose PostgreSQL (default: PGUSER, else the service's POSTGRES_USER).",
  }),
  'pg-password': Flags.string({
    helpGroup: 'BRIDGE',
    description: "Its password (default: PGPASSWORD, else the service's POSTGRES_PASSWORD).",
  }),
  'probe-pod-image': Flags.string({
    helpGroup: 'BRIDGE',
    env: 'GENIRO_DEV_PROBE_POD_IMAGE',
    description:
      'Image of the one-off pod that runs pg_isready where no Docker network can be joined (minikube VM drivers; pinned default).',
  }),
  'probe-image': Flags.string({
    helpGroup: 'BRIDGE',
    env: 'GENIRO_DEV_PROBE_IMAGE',
    description:
      'Image of the throwaway container that checks pods can reach PostgreSQL (pinned default).',
  }),
  'bridge-services': Flags.string({
    helpGroup: 'BRIDGE',
    delimiter: ',',
    multiple: true,
    options: ['redis', 'qdrant'],
    description:
      "Also share these Compose services (comma-separated; default none). redis: through a logical database of the cluster's own (--redis-database). qdrant is refused: the app has no collection prefix to isolate it.",
  }),
  'redis-database': Flags.integer({
    helpGroup: 'BRIDGE',
    min: 0,
    max: 15,
    description:
      'The logical database the cluster uses on the Compose Redis (default 1); never one the Compose stack uses, and never 0.',
  }),
}

type BridgeFlagValues = {
  'compose-file'?: string[]
  project?: string
  profile?: string[]
  'compose-service'?: string
  'host-address'?: string
  attach: boolean
  database?: string
  'db-suffix'?: string
  'pg-user'?: string
  'pg-password'?: string
  'probe-image'?: string
  'probe-pod-image'?: string
  'bridge-services'?: string[]
  'redis-database'?: number
}

/** The bridge input from the flags and the Compose files given as arguments. */
export async function bridgeInput(argv: unknown[], flags: BridgeFlagValues) {
  const [{DEFAULT_PROBE_IMAGE}, {DEFAULT_POD_PROBE_IMAGE}] = await Promise.all([
    import('../core/tcp-probe.js'),
    import('../services/reachability.js'),
  ])
  return {
    composeFiles: composeFiles(argv, flags),
    project: flags.project,
    profiles: flags.profile,
    composeService: flags['compose-service'],
    hostAddress: flags['host-address'],
    attach: flags.attach,
    database: flags.database,
    dbSuffix: flags['db-suffix'],
    pgUser: flags['pg-user'],
    pgPassword: flags['pg-password'],
    probeImage: flags['probe-image'] ?? DEFAULT_PROBE_IMAGE,
    podProbeImage: flags['probe-pod-image'] ?? DEFAULT_POD_PROBE_IMAGE,
    bridgeServices: flags['bridge-services'] ?? [],
    redisDatabase: flags['redis-database'],
    cwd: process.cwd(),
    env: process.env,
  }
}
