import type {ComposePort} from '../core/compose-model.js'
import {OFFSET_PORTS} from '../core/port-table.js'
import {planLocalPorts, type LocalPort} from '../core/forward-plan.js'
import type {ForwardStateDir} from '../adapters/forward-state.js'
import {readForwardStatus} from '../forward/status.js'
import {readRoutes, type RouteRecord} from '../adapters/bridge-state.js'
import {detectSelectedCompose} from './compose-detect.js'
import {boundHolder, composePublisher, type PortConflict} from './port-check.js'
import type {Toolbox} from './toolbox.js'

export interface PortsInput {
  /** Compose files (positional or --compose-file); with none and no project, every running Compose container. */
  composeFiles: string[]
  /** Use Compose's own file discovery in the current directory (`--compose`). */
  discover: boolean
  project?: string
  /** --profile (repeatable): which profiles of the project's files are active. */
  profiles?: string[]
  /** Ctrl-C: stops reading and parsing the Compose files. */
  signal?: AbortSignal
  cwd: string
  env: Record<string, string | undefined>
  /** The forwards' state dir of the cluster and namespace in question. */
  forwards: ForwardStateDir
  /** Per-forward port overrides (flags and config file). */
  overrides: Record<string, number>
}

export interface PortsReport {
  compose: ComposePort[]
  /** The Service port each reaches is known only while the forwards run (it is the release's). */
  forwards: Array<LocalPort & {remotePort?: number}>
  /** Ports of either list that something listens on now, and who. */
  bound: Array<{port: number; holder: string}>
  /** Ports Compose files declare that nothing listens on now (the service is not running). */
  declared: Array<{port: number; holder: string}>
  conflicts: PortConflict[]
  /** Bridge mode: how pods reach each shared Compose service (gateway, attached or given). */
  bridge: RouteRecord[]
}

/**
 * `geniro-dev ports`: what Compose publishes, which local ports the forwards use (the
 * running supervisor's, else the offset table with this cluster's kept and configured
 * ports), what is bound now, and every forward port something else holds.
 */
export async function portsReport(
  input: PortsInput,
  tools: Pick<Toolbox, 'compose' | 'docker' | 'hostPorts'>,
): Promise<PortsReport> {
  const files = input.forwards
  const kept = files.keptPorts()
  // As `forward` plans them (unknown names and two forwards on one port are refused),
  // before anything asks the engine.
  const planned = planLocalPorts({
    components: OFFSET_PORTS.filter((row) => !row.optional).map((row) => row.component),
    only: [],
    overrides: input.overrides,
    kept,
  })

  const compose =
    input.composeFiles.length > 0 || input.discover || input.project || input.profiles?.length
      ? (await detectSelectedCompose(input, tools.compose)).services.flatMap(
          (service) => service.ports,
        )
      : // The engine lists containers newest first: sort for a stable report.
        (await tools.docker.composePorts().catch(() => [] as ComposePort[])).sort(byProjectPort)

  const running = readForwardStatus(files)
  const forwards: PortsReport['forwards'] = running.supervisor.running
    ? running.forwards.map(({name, localPort, remotePort}) => ({name, localPort, remotePort}))
    : planned

  // Our own running forwards hold their ports: that is not a conflict.
  const ours = (port: number) =>
    running.supervisor.running && forwards.some((f) => f.localPort === port)
  const ports = [
    ...new Set([...forwards.map((f) => f.localPort), ...compose.map((p) => p.published)]),
  ].sort((a, b) => a - b)
  const bound: PortsReport['bound'] = []
  const declared: PortsReport['declared'] = []
  for (const port of ports) {
    if (ours(port)) {
      bound.push({port, holder: `geniro-dev forward (supervisor pid ${running.supervisor.pid})`})
      continue
    }
    const now = await boundHolder(port, tools.hostPorts)
    const publisher = composePublisher(port, compose)
    if (now) bound.push({port, holder: publisher ?? now})
    // Not bound yet, but taking it would collide once the stack starts.
    else if (publisher)
      declared.push({
        port,
        holder: publisher.replace(/publishes it$/, 'declares it (not running now)'),
      })
  }
  const conflicts = forwards.flatMap((f) => {
    const holder = [...bound, ...declared].find((b) => b.port === f.localPort)?.holder
    return holder && !ours(f.localPort) ? [{port: f.localPort, forward: f.name, holder}] : []
  })
  return {compose, forwards, bound, declared, conflicts, bridge: readRoutes(files)}
}

function byProjectPort(a: ComposePort, b: ComposePort): number {
  return (
    a.project.localeCompare(b.project) ||
    a.service.localeCompare(b.service) ||
    a.published - b.published ||
    a.target - b.target ||
    a.protocol.localeCompare(b.protocol) ||
    a.hostIp.localeCompare(b.hostIp)
  )
}
