/** argv of Helm's cluster commands, right for Helm 3 and Helm 4 (docs/ARCHITECTURE.md). */

export interface UpgradeArgs {
  helmMajor: number
  release: string
  chart: string
  namespace: string
  kubeContext: string
  valuesFiles: string[]
  timeoutSeconds: number
  description: string
}

export function helmUpgradeArgs(input: UpgradeArgs): string[] {
  return [
    'upgrade',
    '--install',
    input.release,
    input.chart,
    '--namespace',
    input.namespace,
    '--create-namespace',
    '--kube-context',
    input.kubeContext,
    ...input.valuesFiles.flatMap((file) => ['--values', file]),
    // Helm 4's --wait takes a strategy; Helm 3's is a plain boolean.
    input.helmMajor >= 4 ? '--wait=watcher' : '--wait',
    '--wait-for-jobs',
    '--timeout',
    `${input.timeoutSeconds}s`,
    '--description',
    input.description,
  ]
}

export function helmScope(namespace: string, kubeContext: string): string[] {
  return ['--namespace', namespace, '--kube-context', kubeContext]
}
