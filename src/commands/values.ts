import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {installFlags} from '../cli/flags.js'
import {renderValuesYaml} from '../cli/render-values.js'
import {mergeLayers, valuesLayers} from '../services/values.js'

export default class Values extends BaseCommand {
  static override summary = 'Print the exact values YAML that `up` installs, for Helm or GitOps.'

  static override description =
    'The isolated defaults, then each -f file, then --set, merged as Helm merges them. Pipe it to `helm upgrade --install geniro helm/geniro -f -`.'

  static override examples = [
    '<%= config.bin %> values',
    '<%= config.bin %> values -f my-values.yaml --set api.replicaCount=2 > values.yaml',
    '<%= config.bin %> values --json',
  ]

  static override flags = {
    mode: Flags.option({
      options: ['isolated'] as const,
      default: 'isolated' as const,
      description: 'Which values: isolated (every service in the cluster).',
    })(),
    ...installFlags,
  }

  async run(): Promise<{mode: string; values: Record<string, unknown>}> {
    const {flags} = await this.parse(Values)
    const values = mergeLayers(
      await valuesLayers({valuesFiles: flags.values ?? [], sets: flags.set ?? []}),
    )
    if (!this.jsonEnabled()) process.stdout.write(renderValuesYaml(values))
    return {mode: flags.mode, values}
  }
}
