import type {StatusResult} from '../services/status.js'

export function renderStatus(result: StatusResult): string {
  const lines = [
    `Provider   ${result.provider}`,
    `Cluster    ${result.cluster.name} (${result.cluster.state})`,
    `Context    ${result.kubeContext}`,
    `Namespace  ${result.namespace}`,
    result.release
      ? `Release    ${result.release.name}: ${result.release.status}, revision ${result.release.revision}, chart ${result.release.chart}, mode ${result.mode}`
      : 'Release    not installed',
  ]
  if (result.components.length > 0) {
    const width = Math.max(...result.components.map((c) => c.component.length))
    lines.push('', 'Pods ready:')
    for (const c of result.components)
      lines.push(`  ${c.component.padEnd(width)}  ${c.ready}/${c.total}`)
  }
  lines.push('', result.forwards.length > 0 ? 'Forwards:' : 'Forwards   none running')
  for (const f of result.forwards) {
    const restarts = f.restarts > 0 ? ` (${f.restarts} restarts)` : ''
    lines.push(`  ${f.name.padEnd(14)} 127.0.0.1:${f.localPort}  ${f.state}${restarts}`)
  }
  if (result.bridge.length > 0) lines.push('', 'Bridge (how pods reach the Compose services):')
  for (const r of result.bridge)
    lines.push(
      `  ${r.service.padEnd(14)} ${r.composeService} at ${r.host}:${r.port} (${r.path} path)`,
    )
  if (result.localImages.length > 0)
    lines.push('', 'Local images (`geniro-dev image reset` goes back to the published ones):')
  for (const i of result.localImages)
    lines.push(
      `  ${i.component.padEnd(14)} ${i.image} as ${i.reference}${i.running ? '' : ' (kept; not in the release: the next `up` applies it)'}`,
    )
  return lines.join('\n')
}
