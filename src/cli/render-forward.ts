import type {ForwardStatusReport} from '../forward/status.js'

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
