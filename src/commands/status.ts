import {BaseCommand} from '../cli/base-command.js'
import {allowRemoteContextFlag, clusterFlags, targetInput} from '../cli/flags.js'
import {renderStatus} from '../cli/render-status.js'
import {status, type StatusResult} from '../services/status.js'

export default class Status extends BaseCommand {
  static override summary =
    'Show the cluster, the release, its pods per component and the forwards.'

  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  static override flags = {
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
  }

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const {tools, signal} = await this.serviceContext()
    const result = await status(targetInput(flags), tools, signal)
    return this.outputResult(result, renderStatus)
  }
}
