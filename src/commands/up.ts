import {Flags} from '@oclif/core'
import {composeFileArgs} from '../cli/compose-flags.js'
import {UpPipelineCommand, upFlags} from '../cli/up-pipeline.js'
import type {UpResult} from '../services/up.js'

export default class Up extends UpPipelineCommand {
  static override summary =
    'Create (or reuse) a local cluster and install the Geniro chart, fully isolated.'

  static override description = `Ensures a local kind or minikube cluster (an existing one is reused, a stopped one started), installs helm/geniro with every service in the cluster (nothing shared with your Docker Compose stack), waits until it is ready and prints the offset URLs.

Idempotent: on a healthy environment whose release already has these values and this chart, it makes no mutating call at all. It never changes your current kube context and refuses any context but the local cluster it manages unless you pass --allow-remote-context. A cluster is only deleted with --recreate (after confirmation or --yes).`

  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --provider minikube --k8s-version 1.33',
    '<%= config.bin %> up -f my-values.yaml --set api.replicaCount=2',
    '<%= config.bin %> up --dry-run --json',
    '<%= config.bin %> up --recreate --yes',
    '<%= config.bin %> up --no-forward',
    '<%= config.bin %> up --next-free',
  ]

  static override strict = false
  static override args = composeFileArgs

  static override flags = {
    mode: Flags.option({
      options: ['isolated', 'bridge'] as const,
      default: 'isolated' as const,
      description:
        "isolated: every service in the cluster; bridge: the Compose stack's PostgreSQL (same as `geniro-dev bridge`).",
    })(),
    ...upFlags,
  }

  async run(): Promise<UpResult> {
    const {argv, flags} = await this.parse(Up)
    return this.runUp(flags.mode === 'bridge', argv, flags)
  }
}
