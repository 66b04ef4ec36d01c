import type {DownResult} from '../services/down.js'
import type {UpResult} from '../services/up.js'
import {shellQuote} from '../core/shell-quote.js'
import {renderForwards} from './render-forward.js'

const CLUSTER_WORDS: Record<UpResult['clusterAction'], string> = {
  created: 'created',
  started: 'started',
  reused: 'reused',
  recreated: 're-created',
  external: 'used as asked (not managed)',
}

/** What `up` did, and where the platform answers. */
export function renderUpResult(result: UpResult): string {
  const width = Math.max(...result.urls.map((u) => u.component.length))
  return [
    `Cluster  ${result.provider} "${result.cluster}" ${CLUSTER_WORDS[result.clusterAction]} (context ${result.kubeContext})`,
    `Release  "${result.release}" in namespace "${result.namespace}": ${result.releaseAction} (chart ${result.chart.name} ${result.chart.version})`,
    ...bridgeLines(result),
    '',
    result.forwards
      ? 'URLs (forwarded on 127.0.0.1; `geniro-dev forward status` shows the tunnels):'
      : 'URLs once forwarded (`geniro-dev forward` starts the forwards):',
    ...result.urls.map((u) => `  ${u.component.padEnd(width)}  ${u.url}`),
    ...loginLines(result),
    ...(result.forwards ? ['', renderForwards(result.forwards)] : []),
  ].join('\n')
}

/** Bridge mode: which Compose services the cluster uses, how pods reach them, its own databases. */
function bridgeLines(result: UpResult): string[] {
  const bridge = result.bridge
  if (!bridge) return []
  const {route, redis} = bridge
  return [
    `Bridge   PostgreSQL of Compose ${bridge.project}/${bridge.service} at ${route.host}:${route.port} (${route.path} path); role ${bridge.role}, databases ${bridge.databases.join(', ')}; password in Secret ${bridge.secret}`,
    ...(redis
      ? [
          `         Redis of Compose ${bridge.project}/${redis.service} at ${redis.host}:${redis.port} (${redis.path} path), database ${redis.database}; password in Secret ${redis.secret}`,
        ]
      : []),
  ]
}

/** The seeded realm user: where to sign in, as whom, and the command that prints the password. */
function loginLines(result: UpResult): string[] {
  const login = result.login
  if (!login) return []
  return [
    '',
    `Sign in at ${login.url} as "${login.username}"; the password (generated at install) is printed by:`,
    `  ${login.passwordCommand.map(shellQuote).join(' ')}`,
  ]
}

/** `down`: what was stopped, removed and kept. */
export function renderDownResult(result: DownResult): string {
  return [
    `Forwards: ${result.forwardsStopped ? 'stopped' : 'none were running'}`,
    ...(result.composeDetached ? ['Compose container: disconnected from the cluster network'] : []),
    `Release "${result.release}": ${result.releaseRemoved ? 'uninstalled' : 'was not installed'}`,
    `Cluster "${result.cluster}": ${result.clusterDeleted ? 'deleted' : 'kept'}`,
  ].join('\n')
}
