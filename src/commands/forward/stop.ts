import {BaseCommand} from '../../cli/base-command.js'
import {renderForwardStop} from '../../cli/render-forward.js'
import {forwardLocation, forwardLocationFlags} from '../../cli/forward-location.js'
import {locateForwards} from '../../forward/status.js'
import {stopSupervisor, type StopResult} from '../../forward/launcher.js'

export default class ForwardStop extends BaseCommand {
  static override summary = 'Stop the forwards: the supervisor and every tunnel, then its state.'

  static override description =
    "Signals the supervisor's whole process group (TERM, then KILL after 3 s), so no kubectl is left behind. Only a process proven to be this supervisor (its pid, start time and command line as recorded) is signalled: a stale record (the supervisor died, or its pid now names another process) signals nothing, and it and any unreadable state file are removed. Waits for a start in progress. Idempotent: with nothing running it exits 0."

  static override examples = [
    '<%= config.bin %> forward stop',
    '<%= config.bin %> forward stop --json',
  ]

  static override flags = forwardLocationFlags

  async run(): Promise<StopResult> {
    const {flags} = await this.parse(ForwardStop)
    const result = await stopSupervisor(locateForwards(forwardLocation(flags)))
    return this.outputResult(result, renderForwardStop)
  }
}
