import {UserError} from './errors.js'
import {OFFSET_PORTS} from './port-table.js'

/** One forward: a stable listener on 127.0.0.1:localPort tunnelled to `target`:remotePort. */
export interface ForwardSpec {
  /** The chart component, e.g. `api`. */
  name: string
  localPort: number
  remotePort: number
  /** kubectl's resource form, e.g. `svc/geniro-api`. */
  target: string
}

export type ForwardState = 'starting' | 'ready' | 'reconnecting' | 'failed'

export interface ForwardStatus extends ForwardSpec {
  state: ForwardState
  /** Tunnels started after the first one (pod restarts, lost connections, kubectl exits). */
  restarts: number
  /** kubectl's own ephemeral port behind the stable listener, while a tunnel is up. */
  tunnelPort?: number
  /** The last thing kubectl said before its tunnel failed. */
  lastError?: string
}

/** What a running supervisor writes to its state file. */
export interface SupervisorState {
  pid: number
  startedAt: string
  kubeContext: string
  namespace: string
  release: string
  logFile: string
  forwards: ForwardStatus[]
}

/** A Service of the release, as the cluster lists it. */
export interface ReleaseService {
  component: string
  name: string
  /** Its ports (the chart names every one). */
  ports: ReadonlyArray<{name: string; port: number}>
}

/** A forward's name and the local port it listens on: the half of a plan that needs no cluster. */
export interface LocalPort {
  name: string
  localPort: number
}

export interface LocalPortPlanInput {
  /** Components there is something to forward to (the release's, or the values' enabled ones). */
  components: readonly string[]
  /** `--only`: component names; empty means every forwardable component. */
  only: readonly string[]
  /** Local ports the user chose per component (flag or config file). */
  overrides: Readonly<Record<string, number>>
  /** Ports `--next-free` chose for this cluster on an earlier run. */
  kept: Readonly<Record<string, number>>
}

export interface ForwardPlanInput extends Omit<LocalPortPlanInput, 'components'> {
  /** Services of the release (their `app.kubernetes.io/component`, name and ports). */
  services: readonly ReleaseService[]
}

export const FORWARD_NAMES = OFFSET_PORTS.map((row) => row.component)

/**
 * Which components to forward and on which local ports: the offset table (docs/ARCHITECTURE.md,
 * "Ports"), the user's overrides over ports kept from earlier runs. Unknown names, an `--only`
 * component that is not there and two forwards on one port are refused.
 */
export function planLocalPorts(input: LocalPortPlanInput): LocalPort[] {
  for (const name of [...input.only, ...Object.keys(input.overrides)]) {
    if (!FORWARD_NAMES.includes(name)) {
      throw new UserError(
        `"${name}" is not a forwardable component`,
        `use one of: ${FORWARD_NAMES.join(', ')}`,
      )
    }
  }
  const planned: LocalPort[] = []
  for (const row of OFFSET_PORTS) {
    if (input.only.length > 0 && !input.only.includes(row.component)) continue
    if (!input.components.includes(row.component)) {
      if (input.only.includes(row.component)) {
        throw new UserError(
          `the release has no ${row.component} Service to forward`,
          'is the component enabled in the values? `geniro-dev status` lists what runs',
        )
      }
      continue
    }
    planned.push({
      name: row.component,
      localPort: input.overrides[row.component] ?? input.kept[row.component] ?? row.localPort,
    })
  }
  const byPort = new Map<number, string>()
  for (const {name, localPort} of planned) {
    const other = byPort.get(localPort)
    if (other) {
      throw new UserError(
        `${other} and ${name} would both listen on port ${localPort}`,
        'give them different ports with --port NAME=PORT',
      )
    }
    byPort.set(localPort, name)
  }
  return planned
}

/**
 * The forwards of a release: its local ports (planLocalPorts) and, for each, the Service of the
 * component and the port of that Service the chart names for it, as the release really has it.
 */
export function planForwards(input: ForwardPlanInput): ForwardSpec[] {
  const serviceOf = new Map<string, ReleaseService>()
  for (const row of OFFSET_PORTS) {
    // Headless Services share the component label; the plain one is named <fullname>-<component>.
    const service =
      input.services.find(
        (s) => s.component === row.component && s.name.endsWith(`-${row.component}`),
      ) ?? input.services.find((s) => s.component === row.component)
    if (service) serviceOf.set(row.component, service)
  }
  return planLocalPorts({...input, components: [...serviceOf.keys()]}).map(({name, localPort}) => {
    const service = serviceOf.get(name)!
    return {name, localPort, remotePort: servicePort(service, name), target: `svc/${service.name}`}
  })
}

/** The Service port a component's forward reaches: the one the chart names for it, else the only one. */
function servicePort(service: ReleaseService, component: string): number {
  const wanted = OFFSET_PORTS.find((row) => row.component === component)!.servicePortName
  const port =
    service.ports.find((p) => p.name === wanted) ??
    (service.ports.length === 1 ? service.ports[0] : undefined)
  if (!port) {
    throw new UserError(
      `Service ${service.name} has no port named "${wanted}" to forward`,
      'was the release installed from this chart? `kubectl get service ' +
        `${service.name} --output yaml\` shows its ports`,
    )
  }
  return port.port
}

/** How far `--next-free` looks above a port before it gives up. */
export const NEXT_FREE_SPAN = 100

/**
 * The ports `--next-free` tries for a forward, in order: the ones just above the wanted
 * port, so the same machine state always yields the same choice.
 */
export function nextFreeCandidates(port: number): number[] {
  const candidates: number[] = []
  for (let next = port + 1; next <= Math.min(port + NEXT_FREE_SPAN, 65_535); next++)
    candidates.push(next)
  return candidates
}

/** Parses `--port NAME=PORT` (repeatable) and config-file ports into overrides. */
export function parsePortOverrides(entries: readonly string[]): Record<string, number> {
  const overrides: Record<string, number> = {}
  for (const entry of entries) {
    const match = /^([a-z-]+)=(\d{1,5})$/.exec(entry.trim())
    const port = match ? Number(match[2]) : Number.NaN
    if (!match || !validPort(port)) {
      throw new UserError(
        `--port "${entry}" is not NAME=PORT`,
        `e.g. --port api=15001 (a port from 1024 to 65535; names: ${FORWARD_NAMES.join(', ')})`,
      )
    }
    overrides[match[1]!] = port
  }
  return overrides
}

export function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1024 && port <= 65_535
}

const BACKOFF_STEPS_MS = [0, 250, 500, 1_000, 2_000, 4_000] as const

/**
 * The wait before a tunnel's next start: immediate after a tunnel that had served for a
 * while, then growing and capped while kubectl keeps failing (a pod that crash-loops).
 */
export function tunnelBackoffMs(consecutiveFailures: number): number {
  const index = Math.min(Math.max(consecutiveFailures, 0), BACKOFF_STEPS_MS.length - 1)
  return BACKOFF_STEPS_MS[index]!
}

/** After this many starts in a row without a ready tunnel, a forward is reported failed. */
export const FAILED_AFTER_ATTEMPTS = 4

/** kubectl's ready line: `Forwarding from 127.0.0.1:41235 -> 5000` → 41235. */
export function parseForwardingLine(line: string): number | undefined {
  const match = /^Forwarding from 127\.0\.0\.1:(\d+) -> \d+/.exec(line.trim())
  return match ? Number(match[1]) : undefined
}

/** The kubectl argv of one tunnel: kubectl picks a free local port itself (`:REMOTE`). */
export function portForwardArgs(
  spec: ForwardSpec,
  kubeContext: string,
  namespace: string,
): string[] {
  return [
    '--context',
    kubeContext,
    '--namespace',
    namespace,
    'port-forward',
    spec.target,
    `:${spec.remotePort}`,
    '--address',
    '127.0.0.1',
  ]
}
