import {BaseCommand} from '../../cli/base-command.js'
import {forwardLocation, forwardLocationFlags} from '../../cli/forward-location.js'
import {renderForwards} from '../../cli/render-forward.js'
import {locateForwards, readForwardStatus, type ForwardStatusReport} from '../../forward/status.js'

export default class ForwardStatus extends BaseCommand {
  static override summary = 'Show the forward supervisor and the state of every forward.'

  static override description =
    'States: ready (the tunnel is up), reconnecting (kubectl is being restarted; new connections wait), failed (kubectl keeps failing; see LAST ERROR and `forward logs`). A supervisor that died shows as not running.'

  static override examples = [
    '<%= config.bin %> forward status',
    '<%= config.bin %> forward status --json',
    '<%= config.bin %> forward status --cluster dev2 -n geniro',
  ]

  static override flags = forwardLocationFlags

  async run(): Promise<ForwardStatusReport> {
    const {flags} = await this.parse(ForwardStatus)
    const report = readForwardStatus(locateForwards(forwardLocation(flags)))
    return this.outputResult(report, renderForwards)
  }
}
