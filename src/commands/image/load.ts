import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../cli/base-command.js'
import {rolloutFlags, targetInput} from '../../cli/flags.js'
import {renderLoaded} from '../../cli/render-image.js'
import {orPlan} from '../../cli/render-plan.js'
import {IMAGE_COMPONENTS} from '../../core/image-override.js'
import {loadImage, type ImageLoadResult} from '../../services/image.js'

export default class ImageLoad extends BaseCommand {
  static override summary =
    'Run a local Docker image for a component: load it into the cluster and roll it out.'

  static override description = `Tags IMAGE with a tag made from its image ID (gdev-<12 hex>; never latest, so a new build is a new tag and Kubernetes really rolls the pods), loads it into the cluster's nodes (\`kind load docker-image\`, \`minikube image load\`: no registry), and upgrades the release with the values it runs plus the component's image set to that tag, waiting for the rollout. The override is kept for later \`up\` runs until \`geniro-dev image reset\`.

The image must be in the local Docker engine (\`docker images\`); the release must be installed and the component enabled. Loading the image the release runs already changes nothing.`

  static override examples = [
    '<%= config.bin %> image load geniro-api:dev --component api',
    '<%= config.bin %> image load my-web:feature-x -c web --timeout 5m',
    '<%= config.bin %> image load geniro-api:dev -c api --dry-run',
  ]

  static override args = {
    image: Args.string({
      required: true,
      description: 'A local Docker image: NAME[:TAG] or its ID.',
    }),
  }

  static override flags = {
    component: Flags.option({
      char: 'c',
      options: IMAGE_COMPONENTS,
      required: true,
      description: 'The component that runs the image.',
    })(),
    ...rolloutFlags,
  }

  async run(): Promise<ImageLoadResult> {
    const {args, flags} = await this.parse(ImageLoad)
    const result = await loadImage(
      {
        ...targetInput(flags),
        component: flags.component,
        image: args.image,
        timeoutSeconds: flags.timeout,
        dryRun: flags['dry-run'],
      },
      await this.serviceContext(),
    )
    return this.outputResult(result, orPlan(renderLoaded))
  }
}
