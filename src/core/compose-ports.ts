/**
 * Compose `ports:` entries, short and long syntax, as Docker Compose v2 reads them; checked
 * against `docker compose config` in test/integration/compose-config.
 */
import {UserError} from './errors.js'

export type ComposeProtocol = 'tcp' | 'udp' | 'sctp'

export interface ComposePort {
  project: string
  service: string
  /** '' when unset (all addresses); IPv6 without brackets. */
  hostIp: string
  published: number
  /**
   * Set when one container port is published on a host range (`8000-8001:80`): the engine
   * binds one free port between `published` and this.
   */
  publishedRangeEnd?: number
  target: number
  protocol: ComposeProtocol
}

const PORT_HINT = 'Compose ports look like [HOST_IP:][HOST:]CONTAINER[/PROTOCOL], e.g. "5439:5432"'
const PROTOCOLS: readonly ComposeProtocol[] = ['tcp', 'udp', 'sctp']

interface PortRange {
  start: number
  end: number
}

interface PortMapping {
  hostIp: string
  /** Undefined: no host port given, so none that we can know. */
  host?: PortRange
  container: PortRange
  protocol: ComposeProtocol
}

/**
 * One `ports:` entry, short (`[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, ranges, `[::1]:…`) or
 * long (`{target, published, host_ip, protocol, mode}`), as one ComposePort per published
 * port. Entries without a known host port (`5432`, `127.0.0.1::5432`, `0:5432`) publish on
 * a port the engine picks, so they are left out.
 */
export function parsePortSpec(
  spec: unknown,
  ctx: {project: string; service: string},
): ComposePort[] {
  const mapping =
    typeof spec === 'string' || typeof spec === 'number' || typeof spec === 'bigint'
      ? shortPortMapping(String(spec), ctx.service)
      : longPortMapping(spec, ctx.service)
  return publishedPorts(mapping, ctx)
}

function shortPortMapping(spec: string, service: string): PortMapping {
  const fail = (reason: string) => invalidPort(service, spec, reason)
  const [address = '', protocolPart] = spec.split('/')
  const parts = address.split(':')
  const containerPart = parts.pop() ?? ''
  const hostPart = parts.pop() ?? ''
  const hostIp = parseHostIp(parts.join(':'), fail, 'short')
  if (containerPart === '') throw fail('no container port')
  const container = parsePortRange(containerPart)
  if (!container) throw fail(`invalid container port "${containerPart}"`)
  let host: PortRange | undefined
  if (hostPart !== '') {
    host = parsePortRange(hostPart)
    if (!host) throw fail(`invalid host port "${hostPart}"`)
    const containerIsRange = container.end !== container.start
    if (containerIsRange && host.end - host.start !== container.end - container.start) {
      throw fail('the host and container port ranges differ in length')
    }
  }
  return {hostIp, host, container, protocol: parseProtocol(protocolPart || 'tcp', fail)}
}

function longPortMapping(spec: unknown, service: string): PortMapping {
  const shown =
    JSON.stringify(spec, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    ) ?? String(spec)
  const fail = (reason: string) => invalidPort(service, shown, reason)
  if (!isMapping(spec)) throw fail('a port is a string, a number or a mapping')
  const {target, published, host_ip: hostIp = '', protocol = 'tcp'} = spec
  if (target === undefined || target === null) throw fail('missing a target port')
  const containerPort = ['number', 'bigint', 'string'].includes(typeof target)
    ? parsePortNumber(String(target))
    : undefined
  if (containerPort === undefined) throw fail(`invalid target port "${String(target)}"`)
  let host: PortRange | undefined
  if (published !== undefined && published !== null && published !== '') {
    host = parsePortRange(String(published))
    if (!host) throw fail(`invalid published port "${String(published)}"`)
  }
  if (typeof hostIp !== 'string') throw fail('host_ip must be a string')
  if (typeof protocol !== 'string') throw fail('protocol must be a string')
  return {
    hostIp: parseHostIp(hostIp, fail, 'long'),
    host,
    container: {start: containerPort, end: containerPort},
    protocol: parseProtocol(protocol, fail),
  }
}

function publishedPorts(
  mapping: PortMapping,
  ctx: {project: string; service: string},
): ComposePort[] {
  const {host, container, hostIp, protocol} = mapping
  if (!host) return []
  const port = (published: number, target: number): ComposePort => ({
    project: ctx.project,
    service: ctx.service,
    hostIp,
    published,
    target,
    protocol,
  })
  if (container.start === container.end && host.end !== host.start) {
    return [{...port(host.start, container.start), publishedRangeEnd: host.end}]
  }
  return (
    Array.from({length: container.end - container.start + 1}, (_, offset) =>
      port(host.start + offset, container.start + offset),
    )
      // Host port 0 asks the engine for a free port: published, but not where we can know.
      .filter((mapped) => mapped.published !== 0)
  )
}

function parsePortRange(text: string): PortRange | undefined {
  const [first = '', last, ...extra] = text.split('-')
  if (extra.length > 0) return undefined
  const start = parsePortNumber(first)
  const end = last === undefined ? start : parsePortNumber(last)
  if (start === undefined || end === undefined || end < start) return undefined
  return {start, end}
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port <= 65535 ? port : undefined
}

/**
 * A host IP, `''` when unset. In the short syntax an IPv6 address needs brackets, since
 * `::1:6001:6001` cannot be told apart from HOST:CONTAINER; Compose refuses it too.
 */
function parseHostIp(
  text: string,
  fail: (reason: string) => UserError,
  syntax: 'short' | 'long',
): string {
  if (text === '') return ''
  const bracketed = /^\[(.*)\]$/.exec(text)
  const address = bracketed ? (bracketed[1] ?? '') : text
  if (syntax === 'short' && !bracketed && address.includes(':')) {
    throw fail(`write the IPv6 host IP in brackets, [${text}]`)
  }
  if (!isIpAddress(address)) throw fail(`invalid host IP "${text}"`)
  return address
}

function parseProtocol(text: string, fail: (reason: string) => UserError): ComposeProtocol {
  const protocol = text.toLowerCase() as ComposeProtocol
  if (!PROTOCOLS.includes(protocol)) throw fail(`invalid protocol "${text}"`)
  return protocol
}

function invalidPort(service: string, spec: string, reason: string): UserError {
  return new UserError(`service "${service}" has an invalid port ${spec}: ${reason}`, PORT_HINT)
}

/** Whether `text` is an IPv4 or IPv6 address (no zone), as Go's net.ParseIP reads them. */
export function isIpAddress(text: string): boolean {
  if (isIpv4(text)) return true
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')))
  const all = groups.flat()
  const last = all.at(-1)
  const hasIpv4Tail = last !== undefined && last.includes('.')
  if (hasIpv4Tail && !isIpv4(last)) return false
  const hexGroups = hasIpv4Tail ? all.slice(0, -1) : all
  if (!hexGroups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false
  const width = hexGroups.length + (hasIpv4Tail ? 2 : 0)
  return halves.length === 2 ? width < 8 : width === 8
}

function isIpv4(text: string): boolean {
  const octets = text.split('.')
  return (
    octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  )
}

function portKey(port: ComposePort): string {
  const {hostIp, published, publishedRangeEnd, target, protocol} = port
  return [hostIp, published, publishedRangeEnd ?? '', target, protocol].join('|')
}

/** The ports once each, first occurrence first. */
export function uniquePorts(ports: readonly ComposePort[]): ComposePort[] {
  const seen = new Map<string, ComposePort>()
  for (const port of ports) if (!seen.has(portKey(port))) seen.set(portKey(port), port)
  return [...seen.values()]
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
