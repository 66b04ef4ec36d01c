// `forward status` on its fast path: files and /proc only, no oclif, no child process.
import {kubeContextFor, PROVIDERS, type ProviderName} from '../core/cluster.js'
import type {ForwardStatus} from '../core/forward-plan.js'
import {
  forwardStateDir,
  isAlive,
  stateRoot,
  type ForwardStateDir,
} from '../adapters/forward-state.js'

export interface ForwardStatusReport {
  supervisor: {pid: number | null; running: boolean}
  forwards: ForwardStatus[]
}

export interface ForwardLocation {
  cluster: string
  namespace: string
  provider?: ProviderName
  kubeContext?: string
}

/**
 * The state dir of a cluster's forwards, found without asking kind or minikube: the explicit
 * context, else the provider's context name, else whichever provider's dir exists (kind's
 * first, as `up` prefers kind).
 */
export function locateForwards(
  where: ForwardLocation,
  root: string = stateRoot(),
): ForwardStateDir {
  if (where.kubeContext) return forwardStateDir(root, where.kubeContext, where.namespace)
  const providers = where.provider ? [where.provider] : PROVIDERS
  const dirs = providers.map((provider) =>
    forwardStateDir(root, kubeContextFor(provider, where.cluster), where.namespace),
  )
  return dirs.find((dir) => dir.exists()) ?? dirs[0]!
}

/**
 * What runs, as the supervisor last published it. A supervisor that died without cleaning
 * up (kill -9) shows as not running, its forwards as failed.
 */
export function readForwardStatus(files: ForwardStateDir): ForwardStatusReport {
  const recorded = files.readSupervisor()
  const state = files.readState()
  if (!recorded) return {supervisor: {pid: null, running: false}, forwards: []}
  const running = isAlive(recorded)
  const forwards = state?.forwards ?? []
  return {
    supervisor: {pid: recorded.pid, running},
    forwards: running
      ? forwards
      : forwards.map((f) => ({...f, state: 'failed', lastError: 'the supervisor is not running'})),
  }
}
