import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {
  allowRemoteContextFlag,
  clusterFlags,
  optionalDurationFlag,
  targetInput,
} from '../cli/flags.js'
import {releaseLogs} from '../services/logs.js'

/** Lines per container without --tail or --since: enough to see what happened. */
const DEFAULT_TAIL = 100

export default class Logs extends BaseCommand {
  static override summary =
    "Show the release's pods' logs, merged, each line prefixed with its component and pod."

  static override description = `Without -f, the last lines of every container (init containers too) of the release's pods — or of the components you name — in time order. With -f, lines as they come until Ctrl-C: pods that appear later (a rollout, a scale-up) are followed too, and a restarted container's new log is picked up where the old one ended, without repeating a line.

Each line reads [COMPONENT/POD] MESSAGE ([COMPONENT/POD/CONTAINER] for an init container or a sidecar; the pod's main container goes without). --json prints one JSON object per line instead: {"time","component","pod","container","message"}.`

  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs api -f',
    '<%= config.bin %> logs api web --since 10m',
    '<%= config.bin %> logs keycloak --tail 20 --timestamps',
    '<%= config.bin %> logs api -f --json',
  ]

  static override strict = false
  static override args = {
    component: Args.string({
      description: 'Only these components (api, web, litellm, keycloak, …).',
    }),
  }

  static override flags = {
    follow: Flags.boolean({char: 'f', default: false, description: 'Keep following until Ctrl-C.'}),
    since: optionalDurationFlag({
      description: 'Only lines newer than this (e.g. 10m, 1h, at most 24h).',
    }),
    tail: Flags.integer({
      min: -1,
      description: `Lines from the end of each container's log (-1: all; default ${DEFAULT_TAIL}, or all with --since).`,
    }),
    timestamps: Flags.boolean({default: false, description: "Show each line's time."}),
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Logs)
    const sinceSeconds = flags.since
    const tail = flags.tail ?? (sinceSeconds === undefined ? DEFAULT_TAIL : -1)
    const {tools, signal} = await this.serviceContext()
    await releaseLogs(
      {
        ...targetInput(flags),
        components: argv as string[],
        follow: flags.follow,
        sinceSeconds,
        tail: tail < 0 ? undefined : tail,
        timestamps: flags.timestamps,
        json: this.jsonEnabled(),
      },
      {
        tools,
        signal,
        write: (line) => process.stdout.write(`${line}\n`),
        note: (line) => process.stderr.write(`${line}\n`),
      },
    )
  }
}
