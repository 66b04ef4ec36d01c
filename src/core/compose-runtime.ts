/**
 * What the engine says about running Compose projects: `docker compose ps --format json`
 * (Docker's shape, JSON Lines since v2.21 and a JSON array before; podman-compose's
 * `podman ps` array), and `docker ps --format '{{json .}}'` lines of Compose containers.
 */
import {uniquePorts, withRole, type ComposePort, type ComposeProtocol} from './compose-model.js'
import type {ComposeService} from './compose-model.js'

const PROJECT_LABEL = 'com.docker.compose.project'
const SERVICE_LABEL = 'com.docker.compose.service'
const WORKING_DIR_LABEL = 'com.docker.compose.project.working_dir'
const CONFIG_FILES_LABEL = 'com.docker.compose.project.config_files'
/** podman-compose labels its containers with both its own and Docker's keys. */
const PODMAN_SERVICE_LABEL = 'io.podman.compose.service'
const PODMAN_PROJECT_LABEL = 'io.podman.compose.project'

/** One container, whichever Compose listed it. */
interface ComposeContainer {
  project?: string
  service: string
  name?: string
  image?: string
  state?: string
  ports: ComposePort[]
}

/** `docker compose ps --format json` (or podman-compose's) as one service per Compose service. */
export function parseComposePs(stdout: string, project: string): ComposeService[] {
  const containers = jsonRecords(stdout).flatMap((record) => {
    const container = composeContainer(record, project)
    // Another project's container (a podman-compose listing can hold them) is not ours.
    const ours = !project || !container?.project || container.project === project
    return container && ours ? [container] : []
  })
  const byService = new Map<string, ComposeContainer[]>()
  for (const container of containers) {
    byService.set(container.service, [...(byService.get(container.service) ?? []), container])
  }
  return [...byService].map(([name, replicas]) => runtimeService(name, replicas))
}

/** Where the containers' project lives, from their Compose labels, for a project given by -p only. */
export function composePsLocation(stdout: string): {workingDir?: string; configFiles: string[]} {
  for (const record of jsonRecords(stdout)) {
    const labels = labelsOf(record.Labels)
    const workingDir = labels[WORKING_DIR_LABEL]
    if (!workingDir) continue
    const configFiles = (labels[CONFIG_FILES_LABEL] ?? '')
      .split(',')
      .filter(Boolean)
      // podman-compose records paths relative to the working directory.
      .map((file) => (file.startsWith('/') ? file : `${workingDir.replace(/\/$/, '')}/${file}`))
    return {workingDir, configFiles}
  }
  return {configFiles: []}
}

/**
 * The published ports of `docker ps --filter label=com.docker.compose.project --format
 * '{{json .}}'`: project and service from the labels, ports from the Ports column
 * (`0.0.0.0:5439->5432/tcp, [::]:5439->5432/tcp, 6379/tcp`).
 */
export function parseDockerPsCompose(stdout: string): ComposePort[] {
  return jsonRecords(stdout).flatMap((record) => {
    const labels = labelsOf(record.Labels)
    const project = labels[PROJECT_LABEL]
    const service = labels[SERVICE_LABEL]
    if (!project || !service || typeof record.Ports !== 'string') return []
    return collapseDualStack(portsColumn(record.Ports, {project, service}))
  })
}

/**
 * The objects of JSON Lines or of one JSON array. Lines that are not JSON (a wrapper's
 * banner, as `podman compose` prints before its provider's output) are skipped.
 */
function jsonRecords(stdout: string): Array<Record<string, unknown>> {
  const text = stdout.trim()
  const arrayStart = text.search(/^\[/m)
  if (arrayStart !== -1) {
    try {
      const parsed: unknown = JSON.parse(text.slice(arrayStart))
      if (Array.isArray(parsed)) return parsed.filter(isRecord)
    } catch {
      // Not one array: read it line by line below.
    }
  }
  return text.split('\n').flatMap((line) => {
    const trimmed = line.trim()
    if (!trimmed.startsWith('{')) return []
    try {
      const parsed: unknown = JSON.parse(trimmed)
      return isRecord(parsed) ? [parsed] : []
    } catch {
      return []
    }
  })
}

function composeContainer(
  record: Record<string, unknown>,
  fallbackProject: string,
): ComposeContainer | undefined {
  const labels = labelsOf(record.Labels)
  const project = stringOf(record.Project) ?? labels[PROJECT_LABEL] ?? labels[PODMAN_PROJECT_LABEL]
  const service = stringOf(record.Service) ?? labels[SERVICE_LABEL] ?? labels[PODMAN_SERVICE_LABEL]
  if (!service) return undefined
  const ctx = {project: project ?? fallbackProject, service}
  return {
    project,
    service,
    name: stringOf(record.Name) ?? nameOf(record.Names),
    image: stringOf(record.Image),
    state: stringOf(record.State)?.toLowerCase(),
    ports: collapseDualStack(containerPorts(record, ctx)),
  }
}

function containerPorts(
  record: Record<string, unknown>,
  ctx: {project: string; service: string},
): ComposePort[] {
  // Docker Compose: Publishers, null when the container is stopped.
  if ('Publishers' in record) {
    const publishers = Array.isArray(record.Publishers) ? record.Publishers : []
    return publishers.flatMap((publisher) => dockerPublisher(publisher, ctx))
  }
  // podman: Ports as objects.
  if (Array.isArray(record.Ports)) return record.Ports.flatMap((port) => podmanPort(port, ctx))
  return typeof record.Ports === 'string' ? portsColumn(record.Ports, ctx) : []
}

/** Several replicas of one service make one service: all their ports, the first running one's name. */
function runtimeService(name: string, replicas: ComposeContainer[]): ComposeService {
  const sorted = [...replicas].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
  const lead = sorted.find((replica) => replica.state === 'running') ?? sorted[0]
  const service: ComposeService = {
    name,
    ports: uniquePorts(sorted.flatMap((replica) => replica.ports)),
    environment: {},
  }
  if (lead?.image) service.image = lead.image
  if (lead?.name) service.containerName = lead.name
  if (lead?.state) service.state = lead.state
  return withRole(service)
}

function dockerPublisher(
  publisher: unknown,
  ctx: {project: string; service: string},
): ComposePort[] {
  if (!isRecord(publisher)) return []
  const published = Number(publisher.PublishedPort)
  const target = Number(publisher.TargetPort)
  const protocol = protocolOf(publisher.Protocol)
  // PublishedPort 0: exposed, not published.
  if (!published || !target || !protocol) return []
  return [{...ctx, hostIp: hostIpOf(stringOf(publisher.URL) ?? ''), published, target, protocol}]
}

/** podman's `{host_ip, container_port, host_port, range, protocol}`; `range` counts ports. */
function podmanPort(port: unknown, ctx: {project: string; service: string}): ComposePort[] {
  if (!isRecord(port)) return []
  const published = Number(port.host_port)
  const target = Number(port.container_port)
  const protocol = protocolOf(port.protocol ?? 'tcp')
  if (!published || !target || !protocol) return []
  const count = Math.max(1, Number(port.range) || 1)
  const hostIp = hostIpOf(stringOf(port.host_ip) ?? '')
  return Array.from({length: count}, (_, offset) => ({
    ...ctx,
    hostIp,
    published: published + offset,
    target: target + offset,
    protocol,
  }))
}

const PORTS_COLUMN_ENTRY = /^(.*):(\d+)(?:-(\d+))?->(\d+)(?:-(\d+))?\/(\w+)$/

/** Docker's Ports column; `6379/tcp` (exposed only) publishes nothing. */
function portsColumn(column: string, ctx: {project: string; service: string}): ComposePort[] {
  return column.split(',').flatMap((entry) => {
    const match = PORTS_COLUMN_ENTRY.exec(entry.trim())
    if (!match) return []
    const [, host = '', publishedStart, publishedEnd, targetStart, targetEnd, rawProtocol] = match
    const protocol = protocolOf(rawProtocol)
    if (!protocol) return []
    const published = Number(publishedStart)
    const target = Number(targetStart)
    const count = Number(targetEnd ?? targetStart) - target + 1
    const hostIp = hostIpOf(host)
    if (count === 1 && publishedEnd !== undefined && publishedEnd !== publishedStart) {
      return [
        {...ctx, hostIp, published, publishedRangeEnd: Number(publishedEnd), target, protocol},
      ]
    }
    return Array.from({length: count}, (_, offset) => ({
      ...ctx,
      hostIp,
      published: published + offset,
      target: target + offset,
      protocol,
    }))
  })
}

/**
 * Docker publishes an unbound port twice, on 0.0.0.0 and on ::. Both are one published port:
 * the IPv4 form stays.
 */
function collapseDualStack(ports: readonly ComposePort[]): ComposePort[] {
  const onAllIpv4 = new Set(
    ports.filter((port) => port.hostIp === '0.0.0.0').map((port) => dualStackKey(port)),
  )
  return uniquePorts(
    ports.filter((port) => !(port.hostIp === '::' && onAllIpv4.has(dualStackKey(port)))),
  )
}

function dualStackKey(port: ComposePort): string {
  return `${port.published}|${port.target}|${port.protocol}`
}

/** `[::]`, `::` and `0.0.0.0` as Docker prints them; brackets dropped. */
function hostIpOf(text: string): string {
  return text.replace(/^\[(.*)\]$/, '$1')
}

function protocolOf(value: unknown): ComposeProtocol | undefined {
  const protocol = typeof value === 'string' ? value.toLowerCase() : ''
  return protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp' ? protocol : undefined
}

/**
 * Labels as a map (podman, inspect) or as Docker's `k=v,k=v` string, where a value may
 * itself hold commas (config_files of several files): a piece without `=` continues the
 * value before it.
 */
function labelsOf(value: unknown): Record<string, string> {
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
  }
  const labels: Record<string, string> = {}
  if (typeof value !== 'string') return labels
  let last: string | undefined
  for (const piece of value.split(',')) {
    const equals = piece.indexOf('=')
    if (equals === -1) {
      if (last !== undefined) labels[last] += `,${piece}`
      continue
    }
    last = piece.slice(0, equals)
    labels[last] = piece.slice(equals + 1)
  }
  return labels
}

function nameOf(names: unknown): string | undefined {
  if (typeof names === 'string') return names.split(',')[0] || undefined
  if (Array.isArray(names) && typeof names[0] === 'string') return names[0]
  return undefined
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
