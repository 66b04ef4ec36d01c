// `geniro-dev build`: the app's own Dockerfile built from a checkout, then loaded as
// `image load` does.
import {existsSync, statSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import {UsageError, UserError} from '../core/errors.js'
import {requireImageName, type ImageComponent} from '../core/image-override.js'
import {shellQuote} from '../core/shell-quote.js'
import {runSteps} from './steps.js'
import type {ImageContext, ImageLoadInput, ImageLoadResult} from './image.js'
import {planLoad, prepareRelease, requireLocalImage} from './image-steps.js'

export interface BuildInput extends ImageLoadInput {
  /** The checkout: the build context. */
  path: string
  /** The Dockerfile, relative to the checkout; the app repository's own by default. */
  dockerfile?: string
}

export interface BuildResult extends ImageLoadResult {
  build: {command: string[]; dockerfile: string; context: string}
}

/** The Dockerfile each app repository builds its image from, relative to the checkout. */
const APP_DOCKERFILES: Partial<Record<ImageComponent, string>> = {
  // geniro-io/geniro: .github/workflows/release.yaml builds apps/api/Dockerfile, context `.`
  api: 'apps/api/Dockerfile',
  // geniro-io/geniro-web: .github/workflows/release.yaml builds ./Dockerfile, context `.`
  web: 'Dockerfile',
}
const BUILD_TIMEOUT_MS = 60 * 60_000

/**
 * `geniro-dev build --component api [PATH]`: the app's own Dockerfile build of a checkout,
 * then `image load` of the result. The release is checked before the build starts, so a build
 * never runs for a release it could not go to.
 */
export async function buildImage(input: BuildInput, ctx: BuildContext): Promise<BuildResult> {
  const known = APP_DOCKERFILES[input.component]
  if (!known) {
    throw new UsageError(
      `there is no app build for "${input.component}"`,
      `build: ${Object.keys(APP_DOCKERFILES).join(', ')}; load any other image with \`geniro-dev image load IMAGE --component ${input.component}\``,
    )
  }
  requireImageName(input.image)
  const context = resolve(input.path)
  if (!isDirectory(context)) {
    throw new UserError(`${context} is not a directory`, 'pass the path of your checkout')
  }
  const dockerfile = resolve(context, input.dockerfile ?? known)
  if (!existsSync(dockerfile)) {
    throw new UserError(
      `there is no ${relative(context, dockerfile) || dockerfile} in ${context}`,
      input.dockerfile
        ? 'check --file (it is relative to the checkout)'
        : `pass a checkout of the ${input.component === 'api' ? 'geniro-io/geniro' : 'geniro-io/geniro-web'} repository, or the Dockerfile with --file`,
    )
  }
  const release = await prepareRelease(input, input.component, ctx)
  const buildx = await ctx.tools.docker.hasBuildx(ctx.signal)
  const command = ctx.tools.docker.buildCommand({dockerfile, context, tag: input.image}, buildx)
  const build = {command, dockerfile, context}
  if (input.dryRun) {
    const planned = await planLoad(release, input, undefined, ctx)
    const buildStep = {title: `Build ${input.image} from ${dockerfile}`, command}
    const steps = [buildStep, ...planned.summary.steps]
    return {...planned.summary, steps, build}
  }
  // The build's own progress goes straight to the terminal, not through the task list.
  ctx.note(`Building ${input.image}: ${command.map(shellQuote).join(' ')}`)
  await ctx.tools.docker.build(command, BUILD_TIMEOUT_MS, ctx.buildOutput, ctx.signal)
  const imageId = await requireLocalImage(input.image, ctx.tools, ctx.signal)
  const planned = await planLoad(release, input, imageId, ctx)
  await runSteps(planned.steps, {silent: ctx.silent}, ctx.signal)
  return {...planned.summary, build}
}

export interface BuildContext extends ImageContext {
  /** Where the build's progress goes (stderr; nowhere under --json). */
  buildOutput: (text: string) => void
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
