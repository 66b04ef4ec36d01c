import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {forwardLocation, forwardLocationFlags} from '../cli/forward-location.js'
import {OPEN_COMPONENTS, parseOpenComponent} from '../core/open-target.js'
import {openComponent, type OpenResult} from '../services/open.js'

export default class Open extends BaseCommand {
  static override summary =
    'Open the app (or the API, Keycloak, LiteLLM) in your browser, through its forward.'

  static override description = `Opens the forwarded URL (http://localhost:PORT, the port the running forwards use) with xdg-open on Linux or open on macOS. Refuses when the forward is not running or not ready (start it with \`geniro-dev forward\`). Without a browser (no display, no xdg-open), or with --print or --json, it prints the URL instead.`

  static override examples = [
    '<%= config.bin %> open',
    '<%= config.bin %> open keycloak',
    '<%= config.bin %> open api --print',
    '<%= config.bin %> open --json',
  ]

  static override args = {
    component: Args.string({
      default: 'web',
      description: `What to open: ${OPEN_COMPONENTS.join(', ')}.`,
    }),
  }

  static override flags = {
    print: Flags.boolean({default: false, description: 'Print the URL; open no browser.'}),
    ...forwardLocationFlags,
  }

  async run(): Promise<OpenResult> {
    const {args, flags} = await this.parse(Open)
    const result = await openComponent({
      ...forwardLocation(flags),
      component: parseOpenComponent(args.component),
      printOnly: flags.print || this.jsonEnabled(),
    })
    if (!result.opened && !flags.print)
      this.outputInfo(`Not opened in a browser: ${result.reason}.`)
    return this.outputResult(result, (done) => (done.opened ? `Opened ${done.url}` : done.url))
  }
}
