import type {Kubectl, PodEvent} from '../adapters/kubectl.js'

export interface PodDiagnosis {
  pod: string
  component: string
  reason: string
  events: PodEvent[]
  logs: string
}

const LOG_LINES = 20

/** The pods of a namespace that are not ready, each with its events and last log lines. */
export async function collectDiagnostics(
  kubectl: Kubectl,
  namespace: string,
  kubeContext: string,
): Promise<PodDiagnosis[]> {
  const pods = (await kubectl.pods(namespace, kubeContext)).filter(
    (pod) => !pod.ready && pod.phase !== 'Succeeded',
  )
  return Promise.all(
    pods.map(async (pod) => ({
      pod: pod.name,
      component: pod.component,
      reason: [pod.waitingReason ?? pod.phase, pod.waitingMessage].filter(Boolean).join(': '),
      events: (await kubectl.events(namespace, kubeContext, pod.name).catch(() => [])).filter(
        (event) => event.type !== 'Normal',
      ),
      logs: (
        await kubectl.logs(namespace, kubeContext, pod.name, LOG_LINES).catch(() => '')
      ).trimEnd(),
    })),
  )
}
