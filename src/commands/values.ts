import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {bridgeFlags, bridgeInput} from '../cli/bridge-flags.js'
import {composeFileArgs} from '../cli/compose-flags.js'
import {installFlags} from '../cli/flags.js'
import {renderBridgeChoice, renderValues, type ValuesResult} from '../cli/render-values.js'
import {refuseBridgeOnlyInput} from '../cli/up-pipeline.js'
import {redactSecretValues} from '../core/secret-values.js'
import {bridgeLayer, mergeLayers, valuesLayers, type BridgeChoice} from '../services/values.js'

export default class Values extends BaseCommand {
  static override summary = 'Print the exact values YAML that `up` installs, for Helm or GitOps.'

  static override description =
    'The isolated defaults, then each -f file, then --set, merged as Helm merges them. Secrets (values under secrets, and keys naming a password, token, key, salt or secret) are shown as *** unless --show-secrets is given. Pipe `values --show-secrets` to `helm upgrade --install geniro helm/geniro -f -`.'

  static override examples = [
    '<%= config.bin %> values',
    '<%= config.bin %> values -f my-values.yaml --set api.replicaCount=2',
    '<%= config.bin %> values --show-secrets > values.yaml',
    '<%= config.bin %> values --json',
    '<%= config.bin %> values --mode bridge --compose --host-address 172.18.0.1',
  ]

  static override strict = false
  static override args = composeFileArgs

  static override flags = {
    mode: Flags.option({
      options: ['isolated', 'bridge'] as const,
      default: 'isolated' as const,
      description:
        "Which values: isolated (every service in the cluster) or bridge (the Compose stack's PostgreSQL).",
    })(),
    ...installFlags,
    'show-secrets': Flags.boolean({
      default: false,
      description:
        'Print secret values as they are (by default *** for values under secrets and keys naming a password, token, key, salt or secret).',
    }),
    ...bridgeFlags,
  }

  async run(): Promise<ValuesResult> {
    const {argv, flags} = await this.parse(Values)
    const bridge = flags.mode === 'bridge'
    let bridgeChoice: BridgeChoice | undefined
    if (!bridge) refuseBridgeOnlyInput(argv, flags)
    const layers = await valuesLayers({valuesFiles: flags.values ?? [], sets: flags.set ?? []})
    if (bridge) {
      const [tools, input] = await Promise.all([this.toolbox(), bridgeInput(argv, flags)])
      const {layer, choice} = await bridgeLayer({...input, signal: this.abort.signal}, tools)
      layers.splice(1, 0, layer)
      bridgeChoice = choice
      // On stderr: stdout stays the values file alone.
      this.outputInfo(renderBridgeChoice(choice))
    }
    const merged = mergeLayers(layers)
    const {values, redacted} = flags['show-secrets']
      ? {values: merged, redacted: []}
      : redactSecretValues(merged)
    return this.outputResult(
      {mode: flags.mode, values, redacted, ...(bridgeChoice ? {bridge: bridgeChoice} : {})},
      renderValues,
    )
  }
}
