import type {ClusterProvider} from '../adapters/cluster-provider.js'
import {isLocalApiServer} from '../core/api-server.js'
import {
  PROVIDERS,
  chooseProvider,
  resolveKubeContext,
  validateClusterName,
  validateNamespace,
  validateReleaseName,
  type ClusterState,
  type ProviderName,
} from '../core/cluster.js'
import {GeniroError, ToolFailedError, UserError} from '../core/errors.js'
import type {Toolbox} from './toolbox.js'

export interface TargetInput {
  provider?: ProviderName
  cluster: string
  namespace: string
  release: string
  kubeContext?: string
  allowRemoteContext: boolean
}

/** Which cluster, context, namespace and release a command acts on, and the cluster's state. */
export interface Target {
  provider: ClusterProvider
  cluster: string
  state: ClusterState
  kubeContext: string
  /** false when the user pointed at another context with --allow-remote-context. */
  managed: boolean
  namespace: string
  release: string
}

/** The part of every cluster command's result that says what it acted on. */
export interface TargetSummary {
  dryRun: boolean
  provider: ProviderName
  cluster: string
  kubeContext: string
  namespace: string
  release: string
  steps: Array<{title: string; command?: string[]; skip?: string}>
}

export function summarizeTarget(
  target: Target,
  dryRun: boolean,
  steps: TargetSummary['steps'],
): TargetSummary {
  return {
    dryRun,
    provider: target.provider.name,
    cluster: target.cluster,
    kubeContext: target.kubeContext,
    namespace: target.namespace,
    release: target.release,
    steps,
  }
}

/** Names are checked before anything runs; bad input changes nothing. */
export function validateTargetInput(input: TargetInput): void {
  validateClusterName(input.cluster)
  validateNamespace(input.namespace)
  validateReleaseName(input.release)
}

/**
 * Resolves provider (the one that has this cluster, else kind, else minikube), the cluster's
 * state, and the kube context, refusing any context but the managed one unless allowed.
 */
export async function resolveTarget(
  input: TargetInput,
  tools: Toolbox,
  signal?: AbortSignal,
): Promise<Target> {
  validateTargetInput(input)
  const installed = Object.fromEntries(
    await Promise.all(
      PROVIDERS.map(async (name) => [name, await tools.providers[name].installed(signal)] as const),
    ),
  ) as Record<ProviderName, boolean>
  const candidates = input.provider ? [input.provider] : PROVIDERS.filter((name) => installed[name])
  if (candidates.includes('kind') && installed.kind) await requireDockerEngine(tools)
  const states = Object.fromEntries(
    await Promise.all(
      PROVIDERS.map(async (name) => [
        name,
        installed[name] && candidates.includes(name)
          ? await tools.providers[name].state(input.cluster, signal)
          : 'absent',
      ]),
    ),
  ) as Record<ProviderName, ClusterState>
  const hasCluster = Object.fromEntries(
    PROVIDERS.map((name) => [name, states[name] !== 'absent']),
  ) as Record<ProviderName, boolean>
  const providerName = chooseProvider(input.provider, {installed, hasCluster})
  const kubeContext = resolveKubeContext({
    provider: providerName,
    cluster: input.cluster,
    requested: input.kubeContext,
    allowRemote: input.allowRemoteContext,
  })
  const provider = tools.providers[providerName]
  const target: Target = {
    provider,
    cluster: input.cluster,
    state: states[providerName],
    kubeContext,
    managed: kubeContext === provider.contextName(input.cluster),
    namespace: input.namespace,
    release: input.release,
  }
  // A cluster that exists has its context: prove it is this cluster before any call uses it.
  if (target.state !== 'absent' && !input.allowRemoteContext) {
    await requireLocalApiServer(target, tools, signal)
  }
  return target
}

/**
 * The managed context must lead to the local cluster: a context's name proves nothing (any
 * kubeconfig file on $KUBECONFIG can define `kind-geniro-dev`), its API server's address does.
 * Refuses a server that is neither loopback nor one of the cluster's own node addresses, and
 * a context kubectl cannot resolve. --allow-remote-context skips this check.
 */
export async function requireLocalApiServer(
  target: Pick<Target, 'provider' | 'cluster' | 'kubeContext'>,
  tools: Pick<Toolbox, 'kubeconfig'>,
  signal?: AbortSignal,
): Promise<void> {
  const server = await tools.kubeconfig.server(target.kubeContext, signal)
  const where = `the local ${target.provider.name} cluster "${target.cluster}"`
  if (!server) {
    throw new UserError(
      `kube context "${target.kubeContext}" of ${where} is not in your kubeconfig`,
      target.provider.name === 'kind'
        ? `restore it with \`kind export kubeconfig --name ${target.cluster}\` (check $KUBECONFIG), then re-run`
        : `restore it with \`minikube update-context -p ${target.cluster}\` (check $KUBECONFIG), then re-run`,
    )
  }
  // Loopback (kind's and minikube's usual server) needs no further question to the provider.
  if (isLocalApiServer(server, [])) return
  if (isLocalApiServer(server, await target.provider.apiServerHosts(target.cluster, signal))) return
  throw new UserError(
    `refusing kube context "${target.kubeContext}": its API server ${server} is not ${where} (loopback or the cluster's node address)`,
    'another kubeconfig file on $KUBECONFIG defines this context: fix $KUBECONFIG, or pass --allow-remote-context if you really mean that server',
  )
}

/** kind runs its nodes as Docker containers: a stopped engine gets one clear line. */
export async function requireDockerEngine(tools: Pick<Toolbox, 'docker'>): Promise<void> {
  try {
    await tools.docker.info()
  } catch (error) {
    if (!(error instanceof GeniroError)) throw error
    throw new UserError(
      `Docker is not running or not reachable: ${error.reason}`,
      // A recognised failure (permission denied on the socket…) knows the better fix.
      (error instanceof ToolFailedError ? error.known?.fix : undefined) ??
        'start Docker (`sudo systemctl start docker`, or open Docker Desktop), then re-run; `geniro-dev doctor` checks it',
    )
  }
}
