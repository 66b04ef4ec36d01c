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

  // Bridge mode: how the cluster's pods reach the developer's machine.

  /** The Docker network the cluster's nodes are on; its gateway is the host's side of it. */
  nodeNetwork(cluster: string, env: Readonly<Record<string, string | undefined>>): string
  /**
   * The address pods reach the host at, given the node network and its IPv4 gateway (when it
   * has one). UserError, naming what is missing, when it cannot be told.
   */
  hostAddress(
    cluster: string,
    network: {name: string; gateway?: string},
    signal?: AbortSignal,
  ): Promise<string>
  /** How to prove that pods reach a host port (see ReachProbe). */
  reachProbe(cluster: string, signal?: AbortSignal): Promise<ReachProbe>
  /** What to try when pods cannot reach a port the host publishes. */
  readonly unreachableHint: string
}

/**
 * `network`: a throwaway container on the node network sees what a pod sees. `pod`: it would
 * not (the node is a VM: no Docker network to join), so a one-off pod checks, for `reason`.
 */
export type ReachProbe = {via: 'network'} | {via: 'pod'; reason: string}
