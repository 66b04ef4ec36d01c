import type {PortsReport} from '../services/ports.js'

/** The coexistence report: Compose's ports, the forwards' ports, what is bound, conflicts. */
export function renderPorts(report: PortsReport): string {
  const lines = ['Docker Compose publishes:']
  if (report.compose.length === 0) lines.push('  nothing (no running Compose containers or files)')
  for (const p of report.compose) {
    const host = p.hostIp ? (p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp) : '*'
    // A host range (`8000-8001:80`): the engine binds one free port of it.
    const published = p.publishedRangeEnd ? `${p.published}-${p.publishedRangeEnd}` : p.published
    lines.push(
      `  ${`${host}:${published}`.padEnd(22)} -> ${p.target}/${p.protocol}  ${p.project}/${p.service}`,
    )
  }
  lines.push('', 'geniro-dev forwards use (127.0.0.1):')
  for (const f of report.forwards)
    lines.push(
      `  ${String(f.localPort).padEnd(6)} ${f.name}${f.remotePort === undefined ? '' : ` (remote ${f.remotePort})`}`,
    )
  lines.push('', 'Bound now:')
  if (report.bound.length === 0) lines.push('  none of these ports')
  for (const b of report.bound) lines.push(`  ${String(b.port).padEnd(6)} ${b.holder}`)
  if (report.declared.length > 0) {
    lines.push('', 'Declared in Compose files, not bound now:')
    for (const d of report.declared) lines.push(`  ${String(d.port).padEnd(6)} ${d.holder}`)
  }
  if (report.bridge.length > 0) {
    lines.push('', 'Bridge mode (how pods reach the shared Compose services):')
    for (const r of report.bridge)
      lines.push(
        `  ${r.service.padEnd(10)} ${r.composeService} at ${r.host}:${r.port} (${r.path} path)`,
      )
  }
  lines.push('')
  if (report.conflicts.length === 0) lines.push('No conflicts.')
  for (const c of report.conflicts) {
    lines.push(
      `CONFLICT port ${c.port} (${c.forward}): ${c.holder}; use --port ${c.forward}=PORT or forward --next-free`,
    )
  }
  return lines.join('\n')
}
