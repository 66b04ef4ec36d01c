import {BaseCommand} from '../../cli/base-command.js'
import {forwardLocation, forwardLocationFlags} from '../../cli/forward-location.js'
import {locateForwards} from '../../forward/status.js'
import {stopSupervisor} from '../../services/forward.js'

export default class ForwardStop extends BaseCommand {
  static override summary = 'Stop the forwards: the supervisor and every tunnel, then its state.'

  static override description =
    "Signals the supervisor's whole process group (TERM, then KILL after 3 s), so no kubectl is left behind. Idempotent: with nothing running it exits 0."

  static override examples = [
    '<%= config.bin %> forward stop',
    '<%= config.bin %> forward stop --json',
  ]

  static override flags = forwardLocationFlags

  async run(): Promise<{stopped: boolean; pid?: number}> {
    const {flags} = await this.parse(ForwardStop)
    const result = await stopSupervisor(locateForwards(forwardLocation(flags)))
    if (!this.jsonEnabled())
      this.log(
        result.stopped
          ? `Stopped the forwards (supervisor pid ${result.pid}).`
          : 'No forwards were running.',
      )
    return result
  }
}
