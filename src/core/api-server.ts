/**
 * Whether a kube context's API server is the local cluster geniro-dev manages. A context's
 * name proves nothing (another kubeconfig file can define `kind-geniro-dev` pointing at a
 * remote server); its server's address does. Pure: the caller brings the addresses.
 */
import {isIP} from 'node:net'

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

/** Loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), and the localhost names. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  const mapped = host.replace(/^::ffff:/, '')
  if (isIP(mapped) === 4) return mapped.split('.')[0] === '127'
  // WHATWG URLs write an IPv4-mapped address in hex: [::ffff:127.0.0.1] → ::ffff:7f00:1.
  const hex = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(host)
  if (hex) return parseInt(hex[1]!, 16) >> 8 === 127
  return isIP(host) === 6 && /^(0*:)*:?0*1$/.test(host)
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
