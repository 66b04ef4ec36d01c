import type {ClusterSpec, ClusterState, ProviderName} from '../core/cluster.js'

/**
 * A local cluster provider (kind or minikube) behind one interface. Commands are exposed
 * as argv so `--dry-run` can print exactly what would run.
 */
export interface ClusterProvider {
  readonly name: ProviderName
  /** The CLI answers `version`. */
  installed(signal?: AbortSignal): Promise<boolean>
  /** Exact-name match; never a prefix. */
  state(cluster: string, signal?: AbortSignal): Promise<ClusterState>
  /** The kube context the provider writes for the cluster. */
  contextName(cluster: string): string
  /**
   * Besides loopback, the hosts at which this cluster's API server may be reached (node
   * container names and addresses, the minikube node's address): a context whose server is
   * anything else is not this cluster.
   */
  apiServerHosts(cluster: string, signal?: AbortSignal): Promise<string[]>
  /** argv of each mutating step, for plans and dry runs. */
  createCommand(spec: ClusterSpec): string[]
  startCommand(cluster: string): string[]
  deleteCommand(cluster: string): string[]
  /** Creates the cluster without changing the user's current kube context. */
  create(spec: ClusterSpec, signal?: AbortSignal): Promise<void>
  start(cluster: string, signal?: AbortSignal): Promise<void>
  delete(cluster: string, signal?: AbortSignal): Promise<void>
}
