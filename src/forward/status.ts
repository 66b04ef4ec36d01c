// `forward status` on its fast path: files and /proc only, no oclif, no child process (but
// `ps` where there is no /proc).
import {
  kubeContextFor,
  PROVIDERS,
  validateClusterName,
  validateNamespace,
  validateReleaseName,
  type ProviderName,
} from '../core/cluster.js'
import type {ForwardStatus} from '../core/forward-plan.js'
import {forwardStateDir, stateRoot} from '../adapters/state-root.js'
import {type ForwardStateDir} from '../adapters/forward-state.js'

export interface ForwardStatusReport {
  supervisor: {pid: number | null; running: boolean}
  forwards: ForwardStatus[]
}

export interface ForwardLocation {
  cluster: string
  namespace: string
  release: string
  provider?: ProviderName
  kubeContext?: string
}

/**
 * The state dir of a release's forwards, found without asking kind or minikube: the explicit
 * context, else the provider's context name, else whichever provider's dir exists (kind's
 * first, as `up` prefers kind). The names are checked first, as every command checks them
 * (exit 2): none of them can lead outside the state dir.
 */
export function locateForwards(
  where: ForwardLocation,
  root: string = stateRoot(),
): ForwardStateDir {
  validateClusterName(where.cluster)
  validateNamespace(where.namespace)
  validateReleaseName(where.release)
  const {namespace, release} = where
  if (where.kubeContext)
    return forwardStateDir(root, {kubeContext: where.kubeContext, namespace, release})
  const providers = where.provider ? [where.provider] : PROVIDERS
  const dirs = providers.map((provider) =>
    forwardStateDir(root, {
      kubeContext: kubeContextFor(provider, where.cluster),
      namespace,
      release,
    }),
  )
  return dirs.find((dir) => dir.exists()) ?? dirs[0]!
}

/**
 * What runs, as the supervisor last published it. A supervisor whose record is stale (it
 * died without cleaning up, or its pid now names another process) shows as not running,
 * its forwards as failed. A state file that cannot be read throws StaleStateError.
 */
export function readForwardStatus(files: ForwardStateDir): ForwardStatusReport {
  const state = files.readState()
  const recorded = files.readSupervisor()
  if (!recorded) return {supervisor: {pid: null, running: false}, forwards: []}
  const running = files.proveSupervisor(recorded).ours
  const forwards = state?.forwards ?? []
  return {
    supervisor: {pid: recorded.pid, running},
    forwards: running
      ? forwards
      : forwards.map((f) => ({...f, state: 'failed', lastError: 'the supervisor is not running'})),
  }
}
