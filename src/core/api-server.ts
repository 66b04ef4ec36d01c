/**
 * Whether a kube context's API server is the local cluster geniro-dev manages. A context's
 * name proves nothing (another kubeconfig file can define `kind-geniro-dev` pointing at a
 * remote server); its server's address does. Pure: the caller brings the addresses.
 */
import {isLoopbackHost} from './host-address.js'

/** The host of an API server URL (`https://[::1]:6443` → `::1`), or undefined when it is not a URL. */
export function apiServerHost(server: string): string | undefined {
  try {
    const url = new URL(server)
    if (!url.hostname) return undefined
    return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * A server is local when its host is loopback or one of the cluster's own addresses (the kind
 * node containers' names and addresses, the minikube node's address).
 */
export function isLocalApiServer(server: string, clusterHosts: readonly string[]): boolean {
  const host = apiServerHost(server)
  if (!host) return false
  return isLoopbackHost(host) || clusterHosts.some((h) => h.toLowerCase() === host)
}
