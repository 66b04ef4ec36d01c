import {Flags} from '@oclif/core'
import {composeFileArgs} from '../cli/compose-flags.js'
import {UpPipelineCommand, upFlags} from '../cli/up-pipeline.js'
import {parseImageAssignments} from '../core/image-override.js'
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
    '<%= config.bin %> up --image api=geniro-api:dev',
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
    image: Flags.string({
      multiple: true,
      helpGroup: 'INSTALL',
      description:
        'COMPONENT=IMAGE: run a local Docker image for a component (repeatable); loaded into the cluster and kept for later runs until `geniro-dev image reset`.',
    }),
  }

  async run(): Promise<UpResult> {
    const {argv, flags} = await this.parse(Up)
    const images = parseImageAssignments(flags.image ?? [])
    return this.runUp(flags.mode === 'bridge', argv, flags, images)
  }
}
