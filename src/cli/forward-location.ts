import type {ForwardLocation} from '../forward/status.js'
import {clusterFlags} from './flags.js'

/**
 * How `forward status|stop|logs` find the forwards: by cluster name, namespace and release
 * (or an explicit context), from the state dir alone, without asking kind or minikube.
 */
export const forwardLocationFlags = {
  provider: clusterFlags.provider,
  cluster: clusterFlags.cluster,
  namespace: clusterFlags.namespace,
  release: clusterFlags.release,
  'kube-context': clusterFlags['kube-context'],
}

export function forwardLocation(flags: {
  provider?: 'kind' | 'minikube'
  cluster: string
  namespace: string
  release: string
  'kube-context'?: string
}): ForwardLocation {
  return {
    provider: flags.provider,
    cluster: flags.cluster,
    namespace: flags.namespace,
    release: flags.release,
    kubeContext: flags['kube-context'],
  }
}
