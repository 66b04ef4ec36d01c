import type {UpResult} from '../services/up.js'
import {renderForwards} from './render-forward.js'

const CLUSTER_WORDS: Record<UpResult['clusterAction'], string> = {
  created: 'created',
  started: 'started',
  reused: 'reused',
  recreated: 're-created',
  external: 'used as asked (not managed)',
}

/** What `up` did, and where the platform answers. */
export function renderUpResult(result: UpResult): string {
  const width = Math.max(...result.urls.map((u) => u.component.length))
  return [
    `Cluster  ${result.provider} "${result.cluster}" ${CLUSTER_WORDS[result.clusterAction]} (context ${result.kubeContext})`,
    `Release  "${result.release}" in namespace "${result.namespace}": ${result.releaseAction} (chart ${result.chart.name} ${result.chart.version})`,
    '',
    result.forwards
      ? 'URLs (forwarded on 127.0.0.1; `geniro-dev forward status` shows the tunnels):'
      : 'URLs once forwarded (`geniro-dev forward` starts the forwards):',
    ...result.urls.map((u) => `  ${u.component.padEnd(width)}  ${u.url}`),
    ...(result.forwards ? ['', renderForwards(result.forwards)] : []),
  ].join('\n')
}
