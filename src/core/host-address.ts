import {UserError} from './errors.js'

/** kind's default Docker network; KIND_EXPERIMENTAL_DOCKER_NETWORK renames it. */
export const KIND_DEFAULT_NETWORK = 'kind'

/**
 * The address pods use to reach the developer's machine (`--host-address`), trimmed. Refused
 * when it can only mean the pod itself: localhost, 127.0.0.0/8, ::1, and the unspecified
 * addresses 0.0.0.0 and ::, which a client cannot connect to anywhere but locally.
 */
export function validateHostAddress(text: string): string {
  const address = text.trim()
  if (address !== '' && !isAddressOrHostName(address)) {
    throw new UserError(
      `"${address}" is not a host address: give an IPv4 address (a.b.c.d), an IPv6 address or a host name`,
      'pass --host-address with an address pods can reach (e.g. the gateway of the cluster’s ' +
        'Docker network), or omit it to detect one',
    )
  }
  if (address === '' || isLoopbackOrUnspecified(address)) {
    const shown = address === '' ? 'an empty host address' : `"${address}"`
    throw new UserError(
      `${shown} cannot be used as the host address: inside a pod, localhost (and any loopback ` +
        `address) is the pod itself, not your machine`,
      'pass --host-address with an address pods can reach (e.g. the gateway of the cluster’s ' +
        'Docker network), or omit it to detect one',
    )
  }
  return address
}

/** The Docker network kind puts its nodes on. */
export function kindNetworkName(env: Record<string, string | undefined>): string {
  return env.KIND_EXPERIMENTAL_DOCKER_NETWORK?.trim() || KIND_DEFAULT_NETWORK
}

/**
 * The IPv4 gateway among a network's IPAM configs (`docker network inspect`'s
 * `.IPAM.Config`; kind's network is dual-stack, with a ULA IPv6 subnet beside the IPv4 one).
 * A config that names an IPv4 subnet but no gateway (a network created with `--subnet` and no
 * `--gateway`) gets Docker's default: the subnet's first host address.
 */
export function pickIpv4Gateway(
  ipamConfigs: ReadonlyArray<{Subnet?: string; Gateway?: string}>,
): string | undefined {
  for (const config of ipamConfigs) {
    if (config.Gateway && isIPv4(config.Gateway)) return config.Gateway
  }
  for (const config of ipamConfigs) {
    const first = config.Subnet && !config.Gateway ? firstHost(config.Subnet) : undefined
    if (first) return first
  }
  return undefined
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * A canonical IP address, or a host name (RFC 1123 labels). Refused: URLs, spaces, and the
 * legacy IPv4 spellings resolvers still accept (`127.1`, `2130706433`, `0x7f000001`, octal
 * `0177.0.0.1`): a name whose labels are all numbers is one of those, never a host.
 */
function isAddressOrHostName(address: string): boolean {
  const bracketed = /^\[(.*)\]$/.exec(address)
  const host = bracketed ? bracketed[1]! : address
  const ipv6 = host.includes(':') && expandIpv6(host.toLowerCase()) !== undefined
  if (bracketed) return ipv6
  if (isIPv4(host) || ipv6) return true
  const labels = host.replace(/\.$/, '').split('.')
  if (host.length > 253 || !labels.every((label) => HOST_LABEL.test(label))) return false
  return !labels.every((label) => /^(0x[0-9a-f]*|\d+)$/i.test(label))
}

/** Names that resolve to the loopback everywhere (RFC 6761 and Debian's /etc/hosts). */
const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback'])

function isLoopbackOrUnspecified(address: string): boolean {
  return isLoopbackHost(address) || classify(address) === 'unspecified'
}

/**
 * Loopback: the localhost names, 127.0.0.0/8, ::1 and IPv4-mapped ::ffff:127.x.y.z (brackets
 * allowed). The one definition of "this machine itself" for host addresses and API servers.
 */
export function isLoopbackHost(address: string): boolean {
  return classify(address) === 'loopback'
}

function classify(address: string): 'loopback' | 'unspecified' | undefined {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (LOOPBACK_NAMES.has(host.replace(/\.$/, '')) || /\.localhost\.?$/.test(host)) return 'loopback'
  if (isIPv4(host)) {
    if (host.startsWith('127.')) return 'loopback'
    return host === '0.0.0.0' ? 'unspecified' : undefined
  }
  const words = host.includes(':') ? expandIpv6(host) : undefined
  if (!words) return undefined
  const zeroPrefix = words.slice(0, 5).every((w) => w === 0)
  if (zeroPrefix && words[5] === 0 && words[6] === 0) {
    if (words[7] === 1) return 'loopback' // ::1
    if (words[7] === 0) return 'unspecified' // ::
  }
  // IPv4-mapped (::ffff:a.b.c.d).
  if (zeroPrefix && words[5] === 0xffff) {
    if (words[6]! >> 8 === 127) return 'loopback'
    if (words[6] === 0) return 'unspecified' // ::ffff:0.0.x.y
  }
  return undefined
}

/** The eight 16-bit words of an IPv6 address (an embedded IPv4 tail is converted). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '')
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    if (!isIPv4(tail[1]!)) return undefined
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, tail.index + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const words = (half: string | undefined) => (half ? half.split(':') : [])
  const left = words(halves[0])
  const right = words(halves[1])
  if (halves.length === 2 && left.length + right.length > 7) return undefined
  const groups =
    halves.length === 2
      ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
      : left
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined
  return groups.map((g) => Number.parseInt(g, 16))
}

/** A dotted-quad IPv4 address (no leading zeros beyond a single 0). */
export function isIPv4(text: string): boolean {
  const octets = text.split('.')
  return (
    octets.length === 4 && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)
  )
}

/** 172.19.0.0/16 -> 172.19.0.1; undefined for IPv6 or anything that is not a subnet. */
function firstHost(subnet: string): string | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(subnet.trim())
  if (!match || !isIPv4(match[1]!)) return undefined
  const prefix = Number(match[2])
  if (prefix > 30) return undefined
  const base = match[1]!.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0)
  const size = 2 ** (32 - prefix)
  const network = base - (base % size)
  const host = network + 1
  return [24, 16, 8, 0].map((shift) => Math.floor(host / 2 ** shift) % 256).join('.')
}
