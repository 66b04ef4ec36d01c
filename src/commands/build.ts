import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {rolloutFlags, targetInput} from '../cli/flags.js'
import {renderLoaded} from '../cli/render-image.js'
import {orPlan} from '../cli/render-plan.js'
import {buildImage, type BuildResult} from '../services/image-build.js'

export default class Build extends BaseCommand {
  static override summary =
    "Build the API or web app from your checkout with the app's own Dockerfile, and run it in the cluster."

  static override description = `One command from edited source to running pod: \`docker build\` (\`docker buildx build --load\` where buildx is installed) of PATH with the Dockerfile the app's release workflow builds — apps/api/Dockerfile with the repository root as context for the API (geniro-io/geniro), Dockerfile for the web app (geniro-io/geniro-web) — then \`image load\` of the result: a content tag, loaded into the cluster, the release upgraded and the rollout waited for, kept for later \`up\` runs until \`geniro-dev image reset\`.

The release is checked before the build starts (installed, component enabled), so a long build never runs for nothing. The build's own output goes to stderr.`

  static override examples = [
    '<%= config.bin %> build --component api ~/src/geniro',
    '<%= config.bin %> build -c web ../geniro-web',
    '<%= config.bin %> build -c api . --tag geniro-api:my-branch',
    '<%= config.bin %> build -c api . --dry-run',
  ]

  static override args = {
    path: Args.string({default: '.', description: "Your checkout of the app's repository."}),
  }

  static override flags = {
    component: Flags.option({
      char: 'c',
      options: ['api', 'web'] as const,
      required: true,
      description: 'Which app to build.',
    })(),
    tag: Flags.string({
      char: 't',
      description: 'Name of the built image (default: geniro-dev/<component>:dev).',
    }),
    file: Flags.string({
      description: "The Dockerfile, relative to PATH (default: the app's own).",
    }),
    ...rolloutFlags,
  }

  async run(): Promise<BuildResult> {
    const {args, flags} = await this.parse(Build)
    const context = await this.serviceContext()
    const json = this.jsonEnabled()
    const result = await buildImage(
      {
        ...targetInput(flags),
        component: flags.component,
        image: flags.tag ?? `geniro-dev/${flags.component}:dev`,
        path: args.path,
        dockerfile: flags.file,
        timeoutSeconds: flags.timeout,
        dryRun: flags['dry-run'],
      },
      {...context, buildOutput: (text) => json || process.stderr.write(text)},
    )
    return this.outputResult(result, orPlan(renderLoaded))
  }
}
