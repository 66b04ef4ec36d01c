// Local ports before forwards start: who holds one (a Compose service, a process, nobody),
// and the choice --next-free makes when it is taken.
import type {ComposePort} from '../core/compose-model.js'
import {GeniroError, UserError} from '../core/errors.js'
import {nextFreeCandidates, type LocalPort} from '../core/forward-plan.js'
import {hostPorts as thisHost, type HostPorts} from '../adapters/host-ports.js'
import type {Toolbox} from './toolbox.js'

export interface PortConflict {
  port: number
  forward: string
  holder: string
}

export interface MovedPort {
  name: string
  from: number
  to: number
}

/** Ports the running Compose containers publish; none when no engine answers. */
export async function publishedByCompose(tools: Toolbox): Promise<ComposePort[]> {
  try {
    return await tools.docker.composePorts()
  } catch (error) {
    if (error instanceof GeniroError) return []
    throw error
  }
}

/**
 * Local ports for the planned forwards: each must be free on 127.0.0.1, 0.0.0.0 and ::1
 * and not published by a Compose service. Conflicts fail, naming the holder, unless
 * `nextFree` moves the forward to the next free port above.
 */
export async function settlePorts<T extends LocalPort>(
  planned: readonly T[],
  composePorts: readonly ComposePort[],
  nextFree: boolean,
  ports: HostPorts = thisHost,
): Promise<{forwards: T[]; moved: MovedPort[]}> {
  const forwards: T[] = []
  const moved: MovedPort[] = []
  const conflicts: PortConflict[] = []
  const chosen = new Set(planned.map((spec) => spec.localPort))
  for (const spec of planned) {
    const holder = await portOccupant(spec.localPort, composePorts, ports)
    if (!holder) {
      forwards.push(spec)
      continue
    }
    if (!nextFree) {
      conflicts.push({port: spec.localPort, forward: spec.name, holder})
      continue
    }
    const candidates = nextFreeCandidates(spec.localPort)
    // get-port binds each candidate; Compose's ports count as taken even before the stack runs.
    const published = candidates.filter((port) => composePublisher(port, composePorts))
    const to = await ports.firstFreePort(candidates, [...chosen, ...published])
    if (to === undefined) {
      conflicts.push({port: spec.localPort, forward: spec.name, holder})
      continue
    }
    chosen.add(to)
    forwards.push({...spec, localPort: to})
    moved.push({name: spec.name, from: spec.localPort, to})
  }
  if (conflicts.length > 0) throw new PortConflictError(conflicts)
  return {forwards, moved}
}

/** Who holds a local port: a Compose service that publishes it, a process, or nobody. */
export async function portOccupant(
  port: number,
  composePorts: readonly ComposePort[],
  ports: HostPorts = thisHost,
): Promise<string | undefined> {
  return composePublisher(port, composePorts) ?? (await boundHolder(port, ports))
}

/** The Compose service that publishes (or, from its files, will publish) a host port. */
export function composePublisher(
  port: number,
  composePorts: readonly ComposePort[],
): string | undefined {
  // A host range (8000-8010:80) holds every port in it.
  const published = composePorts.find(
    (p) =>
      p.protocol === 'tcp' && port >= p.published && port <= (p.publishedRangeEnd ?? p.published),
  )
  return published
    ? `Compose service "${published.service}" of project "${published.project}" publishes it`
    : undefined
}

/** What listens on a local port now (on 127.0.0.1, 0.0.0.0 or ::1), if anything. */
export async function boundHolder(
  port: number,
  ports: HostPorts = thisHost,
): Promise<string | undefined> {
  const taken = await ports.addressesInUse(port)
  if (taken.length === 0) return undefined
  const holder = await ports.findPortHolder(port)
  return holder ? `held by ${holder.description}` : `taken on ${taken.join(', ')}`
}

export class PortConflictError extends UserError {
  constructor(readonly conflicts: PortConflict[]) {
    super(
      conflicts.map((c) => `port ${c.port} for ${c.forward} is taken: ${c.holder}`).join('\n'),
      `free it, pick another with --port ${conflicts[0]?.forward}=PORT, or pass --next-free`,
    )
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), conflicts: this.conflicts}
  }
}
