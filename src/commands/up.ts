import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  allowRemoteContextFlag,
  clusterFlags,
  dryRunFlag,
  installFlags,
  k8sVersionFlag,
  yesFlag,
  targetInput,
} from '../cli/flags.js'
import {forwardFlags, forwardOptions} from '../cli/forward-flags.js'
import {renderPlan} from '../cli/render-plan.js'
import {renderUpResult} from '../cli/render-up.js'
import {parseDuration} from '../core/duration.js'
import {parseTargetKubernetes} from '../core/kubernetes.js'
import {up, type UpResult} from '../services/up.js'

export default class Up extends BaseCommand {
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

  static override flags = {
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
    'k8s-version': k8sVersionFlag,
    'node-image': Flags.string({
      env: 'GENIRO_DEV_NODE_IMAGE',
      helpGroup: 'CLUSTER',
      description:
        'kind node image to create the cluster with (default: the pinned kindest/node for --k8s-version).',
    }),
    ...installFlags,
    timeout: Flags.string({
      default: '10m',
      helpGroup: 'INSTALL',
      description: 'How long to wait for the release to be ready (e.g. 90s, 10m).',
    }),
    'force-upgrade': Flags.boolean({
      default: false,
      helpGroup: 'INSTALL',
      description: 'Run the Helm upgrade even when nothing changed.',
    }),
    recreate: Flags.boolean({
      default: false,
      description: 'Delete and re-create the cluster first (asks, or --yes).',
    }),
    forward: Flags.boolean({
      default: true,
      allowNo: true,
      helpGroup: 'FORWARD',
      description:
        'Start the port-forwards at the end (--no-forward skips them; `geniro-dev forward` starts them later).',
    }),
    ...forwardFlags,
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UpResult> {
    const {flags} = await this.parse(Up)
    const timeoutSeconds = parseDuration(flags.timeout)
    const result = await up(
      {
        ...targetInput(flags),
        kubernetesVersion: parseTargetKubernetes(flags['k8s-version']),
        nodeImage: flags['node-image'],
        valuesFiles: flags.values ?? [],
        sets: flags.set ?? [],
        timeoutSeconds,
        recreate: flags.recreate,
        forceUpgrade: flags['force-upgrade'],
        dryRun: flags['dry-run'],
        forward: flags.forward ? await forwardOptions(flags, 60) : undefined,
      },
      await this.serviceContext(flags.yes),
    )
    if (!this.jsonEnabled())
      this.log(result.dryRun ? renderPlan(result.steps) : renderUpResult(result))
    return result
  }
}
