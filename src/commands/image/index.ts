import {BaseCommand} from '../../cli/base-command.js'
import {renderImageList} from '../../cli/render-image.js'
import {allowRemoteContextFlag, clusterFlags, targetInput} from '../../cli/flags.js'
import {listImages, type ImageListResult} from '../../services/image.js'

export default class Image extends BaseCommand {
  static override summary = 'List the local images the release runs in place of the published ones.'

  static override description =
    'Local images come from `image load`, `build` and `up --image`, and are kept (and applied by every `up`) until `image reset`. RUNNING says whether the release runs it now.'

  static override examples = [
    '<%= config.bin %> image',
    '<%= config.bin %> image --json',
    '<%= config.bin %> image load geniro-api:dev --component api',
    '<%= config.bin %> image reset',
  ]

  static override flags = {
    ...clusterFlags,
    'allow-remote-context': allowRemoteContextFlag,
  }

  async run(): Promise<ImageListResult> {
    const {flags} = await this.parse(Image)
    const result = await listImages(targetInput(flags), await this.serviceContext())
    return this.outputResult(result, renderImageList)
  }
}
