import {clusterFlags} from './flags.js'

/**
 * How `forward status|stop|logs` find the forwards: by cluster name and namespace (or an
 * explicit context), from the state dir alone, without asking kind or minikube.
 */
export const forwardLocationFlags = {
  provider: clusterFlags.provider,
  cluster: clusterFlags.cluster,
  namespace: clusterFlags.namespace,
  'kube-context': clusterFlags['kube-context'],
}

export function forwardLocation(flags: {
  provider?: 'kind' | 'minikube'
  cluster: string
  namespace: string
  'kube-context'?: string
}) {
  return {
    provider: flags.provider,
    cluster: flags.cluster,
    namespace: flags.namespace,
    kubeContext: flags['kube-context'],
  }
}
