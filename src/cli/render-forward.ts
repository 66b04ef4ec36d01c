import type {StopResult} from '../forward/launcher.js'
import type {ForwardStatusReport} from '../forward/status.js'
import type {ForwardResult} from '../services/forward.js'

/** The forwards as a table: name, local URL, target, state and restarts. */
export function renderForwards(report: ForwardStatusReport): string {
  const {supervisor, forwards} = report
  const head =
    supervisor.pid === null
      ? 'No forwards are running.'
      : supervisor.running
        ? `Supervisor pid ${supervisor.pid} is running.`
        : `Supervisor pid ${supervisor.pid} is gone (its state is stale; the next \`forward\` cleans it up).`
  if (forwards.length === 0) return head
  const rows = forwards.map((f) => [
    f.name,
    `127.0.0.1:${f.localPort}`,
    `${f.target}:${f.remotePort}`,
    f.state,
    String(f.restarts),
    f.state === 'ready' ? '' : (f.lastError ?? ''),
  ])
  const header = ['NAME', 'LOCAL', 'TARGET', 'STATE', 'RESTARTS', 'LAST ERROR']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [head, line(header), ...rows.map(line)].join('\n')
}

/** `forward`'s lines beside its table (stderr): a dead supervisor cleaned, one already running. */
export function forwardNotes(result: ForwardResult): string[] {
  return [
    ...(result.staleCleaned
      ? [`Cleaned up after supervisor pid ${result.staleCleaned}, which had died.`]
      : []),
    ...(result.alreadyRunning ? ['Forwards were already running; nothing started.'] : []),
  ]
}

/** `forward`: the table, and where a background supervisor logs and how to stop it. */
export function renderForwardResult(result: ForwardResult, foreground: boolean): string {
  const table = renderForwards(result)
  return foreground ? table : `${table}\nLog: ${result.logFile}   Stop: geniro-dev forward stop`
}

/** `forward stop`: what was stopped or cleaned. */
export function renderForwardStop(result: StopResult): string {
  return [
    result.stopped
      ? `Stopped the forwards (supervisor pid ${result.pid}).`
      : result.stale
        ? `Cleaned up stale forward state (${result.stale}); nothing was signalled.`
        : 'No forwards were running.',
    ...(result.cleaned ?? []).map((file) => `Removed unreadable ${file}.`),
  ].join('\n')
}
