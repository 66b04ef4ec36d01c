/**
 * Whether a kube context's API server is the local cluster geniro-dev manages. A context's
 * name proves nothing (another kubeconfig file can define `kind-geniro-dev` pointing at a
 * remote server); its server's address does. Pure: the caller brings the addresses.
 */
import {expandIpv6, isIPv4} from './host-address.js'

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
  if (isIPv4(host)) return host.split('.')[0] === '127'
  const words = host.includes(':') ? expandIpv6(host) : undefined
  if (!words) return false
  const zeroPrefix = words.slice(0, 5).every((w) => w === 0)
  if (zeroPrefix && words[5] === 0 && words[6] === 0 && words[7] === 1) return true // ::1
  return zeroPrefix && words[5] === 0xffff && words[6]! >> 8 === 127 // ::ffff:127.x.y.z
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
