import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  allowRemoteContextFlag,
  clusterFlags,
  dryRunFlag,
  targetInput,
  yesFlag,
} from '../cli/flags.js'
import {orPlan} from '../cli/render-plan.js'
import {renderDownResult} from '../cli/render-up.js'
import {down, type DownResult} from '../services/down.js'

export default class Down extends BaseCommand {
  static override summary =
    'Stop the forwards and uninstall the release; with --delete-cluster also delete the local cluster.'

  static override description =
    'Idempotent: running it twice exits 0. The cluster is deleted only with --delete-cluster, after confirmation or --yes.'

  static override examples = [
    '<%= config.bin %> down',
    '<%= config.bin %> down --delete-cluster --yes',
    '<%= config.bin %> down --dry-run',
  ]

  static override flags = {
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
    'delete-cluster': Flags.boolean({
      default: false,
      description: 'Also delete the local cluster (asks, or --yes).',
    }),
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<DownResult> {
    const {flags} = await this.parse(Down)
    const result = await down(
      {
        ...targetInput(flags),
        deleteCluster: flags['delete-cluster'],
        dryRun: flags['dry-run'],
      },
      await this.serviceContext(flags.yes),
    )
    return this.outputResult(result, orPlan(renderDownResult))
  }
}
