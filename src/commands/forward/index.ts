import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {allowRemoteContextFlag, clusterFlags, durationFlag, targetInput} from '../../cli/flags.js'
import {forwardFlags, forwardOptions} from '../../cli/forward-flags.js'
import {forwardNotes, renderForwardResult} from '../../cli/render-forward.js'
import {forward, type ForwardResult} from '../../services/forward.js'

export default class Forward extends BaseCommand {
  static override summary =
    "Forward the release's services to offset ports on 127.0.0.1, surviving pod restarts."

  static override description = `Starts a background supervisor (its own process group) that owns a stable listener on 127.0.0.1 for every service and tunnels each connection through \`kubectl port-forward\` on a port kubectl picks. When a tunnel dies (pod restart, lost connection), it is restarted with capped backoff while new connections wait for it instead of being refused.

Every local port is checked before anything binds: a port held by a process or published by a Compose service fails with the holder named, unless --next-free moves the forward to the next free port (kept for this cluster). A second \`forward\` reports the running supervisor instead of starting another.

Default ports: api 15000, web 14173, litellm 14000, keycloak 18080, postgresql 15432, redis 16379, qdrant 16333. The config file ($GENIRO_DEV_CONFIG, default $XDG_CONFIG_HOME/geniro-dev/config.yaml) can set them: \`ports: {api: 15001}\`.`

  static override examples = [
    '<%= config.bin %> forward',
    '<%= config.bin %> forward --only api,web',
    '<%= config.bin %> forward --port api=15001 --next-free',
    '<%= config.bin %> forward --foreground',
    '<%= config.bin %> forward status --json',
    '<%= config.bin %> forward stop',
  ]

  static override flags = {
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
    ...forwardFlags,
    foreground: Flags.boolean({
      default: false,
      description: 'Run the forwards in this terminal until Ctrl-C, then clean up.',
    }),
    timeout: durationFlag({
      default: '60s',
      description: 'How long to wait for every tunnel to be ready.',
    }),
  }

  async run(): Promise<ForwardResult> {
    const {flags} = await this.parse(Forward)
    const options = await forwardOptions(flags, flags.timeout)
    const {tools, signal, note} = await this.serviceContext()
    const result = await forward(
      {...targetInput(flags), ...options, foreground: flags.foreground},
      {tools, signal, note},
    )
    for (const line of forwardNotes(result)) this.outputInfo(line)
    return this.outputResult(result, (done) => renderForwardResult(done, flags.foreground))
  }
}
