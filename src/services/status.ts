import type {ClusterState, ProviderName} from '../core/cluster.js'
import {readRoutes, type RouteRecord} from '../adapters/bridge-state.js'
import {readLocalImages} from '../adapters/image-state.js'
import {summarizeLocalImages, type LocalImageSummary} from '../core/image-override.js'
import {isMap} from '../core/set-values.js'
import {readForwardStatus} from '../forward/status.js'
import {resolveTarget, type TargetInput} from './cluster-target.js'
import type {Toolbox} from './toolbox.js'

export interface StatusResult {
  provider: ProviderName
  cluster: {name: string; state: ClusterState | 'external'}
  kubeContext: string
  namespace: string
  release: {
    name: string
    status: string
    revision: number
    chart: string
    appVersion: string
  } | null
  mode: 'isolated' | 'bridge' | null
  components: Array<{component: string; ready: number; total: number}>
  forwards: Array<{name: string; localPort: number; state: string; restarts: number}>
  /** Bridge mode: how pods reach the shared Compose services (gateway, attached or given). */
  bridge: RouteRecord[]
  /** Components running (or kept to run) a local image instead of the published one. */
  localImages: LocalImageSummary[]
}

/** `geniro-dev status`: read-only facts about the cluster, the release and its pods. */
export async function status(
  input: TargetInput,
  tools: Toolbox,
  signal?: AbortSignal,
): Promise<StatusResult> {
  const target = await resolveTarget(input, tools, signal)
  const reachable = target.state === 'running' || !target.managed
  const release = reachable
    ? await tools.helm.release(target.release, target.namespace, target.kubeContext, signal)
    : undefined
  const values = release
    ? await tools.helm.userValues(target.release, target.namespace, target.kubeContext, signal)
    : undefined
  const pods = release ? await tools.kubectl.pods(target.namespace, target.kubeContext, signal) : []
  const byComponent = new Map<string, {ready: number; total: number}>()
  for (const pod of pods) {
    const entry = byComponent.get(pod.component) ?? {ready: 0, total: 0}
    entry.total++
    if (pod.ready) entry.ready++
    byComponent.set(pod.component, entry)
  }
  const external =
    values && isMap(values.externalPostgresql) && values.externalPostgresql.enabled === true
  const files = tools.state.releaseDir(target)
  return {
    provider: target.provider.name,
    cluster: {name: target.cluster, state: target.managed ? target.state : 'external'},
    kubeContext: target.kubeContext,
    namespace: target.namespace,
    release: release
      ? {
          name: release.name,
          status: release.status,
          revision: release.revision,
          chart: release.chart,
          appVersion: release.appVersion,
        }
      : null,
    mode: release ? (external ? 'bridge' : 'isolated') : null,
    components: [...byComponent.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([component, counts]) => ({component, ...counts})),
    forwards: readForwardStatus(files).forwards.map(({name, localPort, state, restarts}) => ({
      name,
      localPort,
      state,
      restarts,
    })),
    bridge: release && external ? readRoutes(files) : [],
    localImages: summarizeLocalImages(readLocalImages(files), values),
  }
}
