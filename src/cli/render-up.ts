import type {UpResult} from '../services/up.js'

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
    'Offset URLs (bound to 127.0.0.1 once forwarded):',
    ...result.urls.map((u) => `  ${u.component.padEnd(width)}  ${u.url}`),
    '',
    `Forward them with: kubectl port-forward --address 127.0.0.1 --context ${result.kubeContext} -n ${result.namespace} svc/<name> LOCAL:REMOTE`,
  ].join('\n')
}
