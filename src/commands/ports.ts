import {BaseCommand} from '../cli/base-command.js'
import {composeFileArgs, composeFiles, composeFlags} from '../cli/compose-flags.js'
import {forwardLocation, forwardLocationFlags} from '../cli/forward-location.js'
import {forwardFlags} from '../cli/forward-flags.js'
import {renderPorts} from '../cli/render-ports.js'
import {portsReport, type PortsReport} from '../services/ports.js'

export default class Ports extends BaseCommand {
  static override summary =
    'Show what Docker Compose publishes, which ports the forwards use, and every conflict.'

  static override description = `Without Compose files it looks at every running Compose container on the engine; with --compose, files or -p it looks at that project (its running containers first, its files otherwise). A conflict is a forward port that something else holds: a Compose service that publishes it, or a process (named where it can tell). IPv4 and IPv6 entries of one published port count once. Exits 1 when there is a conflict.`

  static override examples = [
    '<%= config.bin %> ports',
    '<%= config.bin %> ports --compose',
    '<%= config.bin %> ports compose.yaml compose.override.yaml --json',
    '<%= config.bin %> ports -p geniro --port api=15001',
    '<%= config.bin %> ports --compose --profile daytona',
  ]

  static override strict = false
  static override args = composeFileArgs

  static override flags = {
    ...composeFlags,
    ...forwardLocationFlags,
    port: forwardFlags.port,
  }

  async run(): Promise<PortsReport> {
    const {argv, flags} = await this.parse(Ports)
    const [tools, {forwardOptions}, {locateForwards}] = await Promise.all([
      this.toolbox(),
      import('../cli/forward-flags.js'),
      import('../forward/status.js'),
    ])
    const where = locateForwards(forwardLocation(flags))
    const {overrides} = await forwardOptions({...flags, 'next-free': false}, 0)
    const report = await portsReport(
      {
        composeFiles: composeFiles(argv, flags),
        discover: flags.compose,
        project: flags.project,
        profiles: flags.profile,
        signal: this.abort.signal,
        cwd: process.cwd(),
        env: process.env,
        forwards: where,
        overrides,
      },
      tools,
    )
    if (report.conflicts.length > 0) process.exitCode = 1
    return this.outputResult(report, renderPorts)
  }
}
