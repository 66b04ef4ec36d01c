import {Help as OclifHelp, type Command} from '@oclif/core'
import {formatExitCodeSection} from '../core/exit-codes.js'
import {renderRootHelp} from './root-help.js'

/** oclif help with the exit-code table added, and the same root help as the lean path. */
export default class Help extends OclifHelp {
  protected override async showRootHelp(): Promise<void> {
    const pkg = this.config.pjson as {description?: string}
    this.log(
      renderRootHelp({
        bin: this.config.bin,
        description: pkg.description ?? '',
        versionLine: this.config.userAgent,
        commands: this.config.commands,
        topicSeparator: this.config.topicSeparator,
      }),
    )
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${this.section('EXIT CODES', formatExitCodeSection(''))}`
  }
}
