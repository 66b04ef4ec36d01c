import {Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {rolloutFlags, targetInput} from '../../cli/flags.js'
import {renderImageReset} from '../../cli/render-image.js'
import {orPlan} from '../../cli/render-plan.js'
import {IMAGE_COMPONENTS} from '../../core/image-override.js'
import {resetImages, type ImageResetResult} from '../../services/image.js'

export default class ImageReset extends BaseCommand {
  static override summary =
    'Go back to the published images: forget the kept local images and roll the release back to them.'

  static override description =
    "Removes the local images `image load`, `build` or `up --image` kept (all, or one with --component) and upgrades the release with its image values as they were before (your -f/--set values, else the chart's), waiting for the rollout. With the release not installed, it only forgets them. Idempotent."

  static override examples = [
    '<%= config.bin %> image reset',
    '<%= config.bin %> image reset --component api',
    '<%= config.bin %> image reset --dry-run --json',
  ]

  static override flags = {
    component: Flags.option({
      char: 'c',
      options: IMAGE_COMPONENTS,
      description: 'Only this component (default: every one).',
    })(),
    ...rolloutFlags,
  }

  async run(): Promise<ImageResetResult> {
    const {flags} = await this.parse(ImageReset)
    const result = await resetImages(
      {
        ...targetInput(flags),
        component: flags.component,
        timeoutSeconds: flags.timeout,
        dryRun: flags['dry-run'],
      },
      await this.serviceContext(),
    )
    return this.outputResult(
      result,
      orPlan((done) => renderImageReset(done, flags.component)),
    )
  }
}
