import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {forwardLocation, forwardLocationFlags} from '../../cli/forward-location.js'
import {locateForwards} from '../../forward/status.js'
import {followLog, readLogTail} from '../../services/forward-logs.js'

export default class ForwardLogs extends BaseCommand {
  static override summary = "Show the forward supervisor's log."

  static override examples = [
    '<%= config.bin %> forward logs',
    '<%= config.bin %> forward logs --tail 50',
    '<%= config.bin %> forward logs --follow',
  ]

  static override enableJsonFlag = false

  static override flags = {
    ...forwardLocationFlags,
    tail: Flags.integer({
      default: 200,
      min: 0,
      description: 'Lines from the end to show (0: all).',
    }),
    follow: Flags.boolean({
      char: 'f',
      default: false,
      description: 'Keep printing new lines until Ctrl-C.',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ForwardLogs)
    const files = locateForwards(forwardLocation(flags))
    const text = await readLogTail(files, flags.tail)
    process.stdout.write(text)
    if (flags.follow)
      await followLog(files, (chunk) => process.stdout.write(chunk), this.abort.signal)
  }
}
