import {existsSync, statSync} from 'node:fs'
import {relative, resolve} from 'node:path'
import {BUNDLED_CHART, chartIdentity, type ChartIdentity} from '../adapters/chart-source.js'
import {ensureStateDirWritable, releaseStateDir} from '../adapters/forward-state.js'
import type {ReleaseInfo} from '../adapters/helm.js'
import {
  readLocalImages,
  forgetLocalImages,
  writeLocalImages,
  type LocalImageRecord,
} from '../adapters/image-state.js'
import {GeniroError, UsageError, UserError} from '../core/errors.js'
import {
  enableHint,
  globalRegistry,
  imageBlock,
  imageComponentEnabled,
  localImageValues,
  planLocalImage,
  requireImageName,
  runsImage,
  summarizeLocalImages,
  withImageBlock,
  type ImageComponent,
  type LocalImagePlan,
  type LocalImageSummary,
} from '../core/image-override.js'
import {mergeValues, type Values} from '../core/set-values.js'
import {shellQuote} from '../core/shell-quote.js'
import {
  requireDockerEngine,
  resolveTarget,
  summarizeTarget,
  type Target,
  type TargetInput,
  type TargetSummary,
} from './cluster-target.js'
import {describeSteps, runSteps, type Step} from './steps.js'
import type {Toolbox} from './toolbox.js'
import {installFailure, releaseDescription, sameValues, type UpContext} from './up.js'
import {mergeLayers, valuesFilesForHelm, type ValuesLayer} from './values.js'

/** `up --image api=IMAGE`: a component and the local image it runs. */
export interface ImageAssignment {
  component: ImageComponent
  image: string
}

export type ImageContext = Pick<UpContext, 'tools' | 'signal' | 'silent' | 'note'>

export interface ImageLoadInput extends TargetInput, ImageAssignment {
  timeoutSeconds: number
  dryRun: boolean
}

export interface ImageLoadResult extends TargetSummary {
  component: ImageComponent
  /** The image as given. */
  image: string
  /** Its ID; absent in the plan of a build that has not run. */
  imageId?: string
  /** The content tag loaded into the cluster and set in the release's values. */
  reference: string
  releaseAction: 'upgraded' | 'unchanged'
  /** The values layers of the upgrade, in the order Helm applies them. */
  layering: string[]
}

/**
 * `geniro-dev image load IMAGE --component C`: tags a local image with its content tag, loads
 * it into the cluster's nodes, keeps it for later `up` runs, and upgrades the release with
 * the values it runs plus the override (waiting for the rollout). Everything is checked before
 * anything changes; loading the image the release runs already leaves the release alone.
 */
export async function loadImage(
  input: ImageLoadInput,
  ctx: ImageContext,
): Promise<ImageLoadResult> {
  requireImageName(input.image)
  const release = await prepareRelease(input, input.component, ctx)
  const imageId = await requireLocalImage(input.image, ctx.tools, ctx.signal)
  const result = await planLoad(release, input, imageId, ctx)
  if (!input.dryRun) await runSteps(result.steps, {silent: ctx.silent}, ctx.signal)
  return result.summary
}

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

export interface ImageResetInput extends TargetInput {
  /** Only this component; every kept one when undefined. */
  component?: ImageComponent
  timeoutSeconds: number
  dryRun: boolean
}

export interface ImageResetResult extends TargetSummary {
  /** The components whose local image was dropped. */
  reset: ImageComponent[]
  releaseAction: 'upgraded' | 'unchanged' | 'not-installed'
}

/**
 * `geniro-dev image reset [--component C]`: forgets the kept local images and puts the
 * release's image values back as they were before them (the published images). A release
 * that is not installed (or a cluster that is not running) just loses the records.
 */
export async function resetImages(
  input: ImageResetInput,
  ctx: ImageContext,
): Promise<ImageResetResult> {
  const {tools, signal} = ctx
  const target = await resolveTarget(input, tools, signal)
  if (!input.dryRun) ensureStateDirWritable(target)
  const files = releaseStateDir(target)
  let kept: LocalImageRecord[]
  let unreadable = false
  try {
    kept = readLocalImages(files)
  } catch (error) {
    // A damaged record cannot say what to put back: reset-all removes it, and says so.
    if (!(error instanceof UserError) || input.component) throw error
    kept = []
    unreadable = true
  }
  const resetting = kept.filter((r) => !input.component || r.component === input.component)
  const remaining = kept.filter((r) => !resetting.includes(r))
  const steps: Step[] = []
  if (resetting.length > 0 || unreadable) {
    steps.push({
      title: unreadable
        ? 'Remove the unreadable local-image record'
        : `Forget the local image of ${resetting.map((r) => r.component).join(', ')}`,
      run: async () => {
        if (unreadable) forgetLocalImages(files)
        else writeLocalImages(files, remaining)
      },
    })
  }
  let releaseAction: ImageResetResult['releaseAction'] = 'not-installed'
  let release: DeployedRelease | undefined
  if (target.state === 'running' || !target.managed) {
    release = await deployedRelease(target, tools, signal)
  }
  if (release) {
    const restored = resetting.reduce(
      (values, r) =>
        runsImage(values, r.component, r.image)
          ? withImageBlock(values, r.component, r.previous)
          : values,
      release.values,
    )
    const unchanged = sameValues(release.values, restored)
    releaseAction = unchanged ? 'unchanged' : 'upgraded'
    const upgrade = await upgradeStep(
      release,
      [
        {
          label: `the release's values without the local images (revision ${release.info.revision})`,
          values: restored,
        },
      ],
      input,
      ctx,
    )
    steps.push(
      unchanged
        ? {...upgrade.step, skip: 'the release runs none of these local images'}
        : upgrade.step,
    )
  }
  const result = {
    ...summarizeTarget(target, input.dryRun, describeSteps(steps)),
    reset: resetting.map((r) => r.component),
    releaseAction,
  }
  if (!input.dryRun) await runSteps(steps, {silent: ctx.silent}, signal)
  return result
}

/** What `geniro-dev image` lists: the kept local images and whether the release runs them. */
export interface ImageListResult {
  kubeContext: string
  namespace: string
  release: string
  images: LocalImageSummary[]
}

export async function listImages(input: TargetInput, ctx: ImageContext): Promise<ImageListResult> {
  const target = await resolveTarget(input, ctx.tools, ctx.signal)
  const records = readLocalImages(releaseStateDir(target))
  const release =
    records.length > 0 && (target.state === 'running' || !target.managed)
      ? await deployedRelease(target, ctx.tools, ctx.signal)
      : undefined
  return {
    kubeContext: target.kubeContext,
    namespace: target.namespace,
    release: target.release,
    images: summarizeLocalImages(records, release?.values),
  }
}

/** What `up` adds for local images: a values layer, and the steps that tag, load and keep them. */
export interface UpImages {
  layer?: ValuesLayer
  /** Before the install; when the release is unchanged it runs them already, so they skip. */
  steps(releaseUnchanged: boolean): Step[]
}

/**
 * `up`'s local images: the `--image` ones and those kept by earlier runs, over every other
 * layer. Each is checked before anything changes (the image is in the engine, its component is
 * enabled); a kept image the engine lost only matters when the release must be installed again.
 */
export async function planUpImages(
  target: Target,
  assignments: readonly ImageAssignment[],
  layers: ValuesLayer[],
  tools: Toolbox,
  signal: AbortSignal,
): Promise<UpImages> {
  const files = releaseStateDir(target)
  const kept = readLocalImages(files)
  if (kept.length === 0 && assignments.length === 0) return {steps: () => []}
  await requireDockerEngine(tools)
  const base = mergeLayers(layers)
  const registry = globalRegistry(base)
  const plans: Array<{plan: LocalImagePlan; loadedAt?: string}> = []
  const lost: LocalImageRecord[] = []
  for (const record of kept) {
    if (assignments.some((a) => a.component === record.component)) continue
    // A component switched off since: the record stays, nothing is loaded for it.
    if (!imageComponentEnabled(base, record.component)) continue
    if (!(await tools.docker.imageId(record.imageId, signal))) lost.push(record)
    plans.push({
      plan: planLocalImage({...record, globalRegistry: registry}),
      loadedAt: record.loadedAt,
    })
  }
  for (const {component, image} of assignments) {
    requireEnabled(base, component, target.release)
    const imageId = await requireLocalImage(image, tools, signal)
    plans.push({
      plan: planLocalImage({component, source: image, imageId, globalRegistry: registry}),
    })
  }
  if (plans.length === 0) return {steps: () => []}
  const records = plans.map(({plan, loadedAt}) =>
    toRecord(plan, imageBlock(base, plan.component), loadedAt),
  )
  const others = kept.filter((r) => !records.some((n) => n.component === r.component))
  return {
    layer: {
      label: `local images (${plans.map(({plan}) => `${plan.component}=${plan.reference}`).join(', ')})`,
      values: localImageValues(plans.map(({plan}) => plan)),
    },
    steps(releaseUnchanged) {
      const steps = [
        ...plans.flatMap(({plan}) => imageSteps(plan, target, tools)),
        keepStep(
          records.map((r) => r.component),
          () => writeLocalImages(files, [...others, ...records]),
        ),
      ]
      if (releaseUnchanged)
        return steps.map((step) => ({...step, skip: 'the release runs it already'}))
      if (lost.length > 0) throw lostImage(lost[0]!)
      return steps
    },
  }
}

// ---------------------------------------------------------------- shared steps

interface DeployedRelease {
  target: Target
  info: ReleaseInfo
  /** Its user values: what -f, --set and earlier runs gave it. */
  values: Values
  chart: ChartIdentity
}

/**
 * The release an image goes to: the context guard (resolveTarget), a running cluster, an
 * installed release Helm can upgrade, and the component enabled in its values.
 */
async function prepareRelease(
  input: TargetInput & {dryRun: boolean},
  component: ImageComponent,
  ctx: ImageContext,
): Promise<DeployedRelease> {
  const {tools, signal} = ctx
  const target = await resolveTarget(input, tools, signal)
  if (!input.dryRun) ensureStateDirWritable(target)
  await requireDockerEngine(tools)
  if (target.managed && target.state !== 'running') {
    throw new UserError(
      `the ${target.provider.name} cluster "${target.cluster}" is ${target.state === 'absent' ? 'not there' : 'stopped'}`,
      `\`geniro-dev up --image ${component}=IMAGE\` creates (or starts) it and installs the release with the image`,
    )
  }
  const release = await deployedRelease(target, tools, signal)
  if (!release) {
    throw new UserError(
      `release "${target.release}" is not installed in namespace "${target.namespace}"`,
      `\`geniro-dev up --image ${component}=IMAGE\` installs it with the image`,
    )
  }
  if (release.info.status.startsWith('pending-')) {
    throw new UserError(
      `release "${target.release}" is ${release.info.status} (revision ${release.info.revision}): a change to it did not finish`,
      'run `geniro-dev up`, which finishes or rolls back that change, then load the image again',
    )
  }
  requireEnabled(release.values, component, target.release)
  return release
}

async function deployedRelease(
  target: Target,
  tools: Toolbox,
  signal: AbortSignal,
): Promise<DeployedRelease | undefined> {
  const {release, namespace, kubeContext} = target
  const info = await tools.helm.release(release, namespace, kubeContext, signal)
  if (!info) return undefined
  const [values, chart] = await Promise.all([
    tools.helm.userValues(release, namespace, kubeContext, signal),
    chartIdentity(),
  ])
  return {target, info, values, chart}
}

/** The plan of an image load (its steps and what it reports), for a given image ID. */
async function planLoad(
  release: DeployedRelease,
  input: ImageLoadInput,
  imageId: string | undefined,
  ctx: ImageContext,
): Promise<{steps: Step[]; summary: ImageLoadResult}> {
  const {target, values} = release
  const {component} = input
  const plan = planLocalImage({
    component,
    source: input.image,
    imageId,
    globalRegistry: globalRegistry(values),
  })
  const files = releaseStateDir(target)
  const kept = readLocalImages(files)
  const earlier = kept.find((r) => r.component === component)
  // The values before the first local image: a second load must not take the first for them.
  const previous = earlier ? earlier.previous : imageBlock(values, component)
  const record = toRecord(plan, previous)
  const override = localImageValues([plan])
  const unchanged =
    imageId !== undefined &&
    release.info.status === 'deployed' &&
    runsChart(release.info, release.chart) &&
    sameValues(values, mergeValues(values, override))
  const layers: ValuesLayer[] = [
    {label: `the release's values (revision ${release.info.revision})`, values},
    {label: `local image (${component}=${plan.reference})`, values: override},
  ]
  const upgrade = await upgradeStep(release, layers, input, ctx)
  const steps: Step[] = [
    ...imageSteps(plan, target, ctx.tools),
    keepStep([component], () =>
      writeLocalImages(files, [...kept.filter((r) => r.component !== component), record]),
    ),
    unchanged
      ? {...upgrade.step, skip: `the release runs ${plan.reference} already`}
      : upgrade.step,
  ]
  return {
    steps,
    summary: {
      ...summarizeTarget(target, input.dryRun, describeSteps(steps)),
      component,
      image: input.image,
      ...(imageId ? {imageId} : {}),
      reference: plan.reference,
      releaseAction: unchanged ? 'unchanged' : 'upgraded',
      layering: upgrade.layering,
    },
  }
}

/** `docker tag` (by ID: the content the tag is named after) and the provider's image load. */
function imageSteps(plan: LocalImagePlan, target: Target, tools: Toolbox): Step[] {
  const provider = tools.providers[target.provider.name]
  const {cluster} = target
  const id = plan.imageId ?? plan.source
  return [
    {
      title: `Tag ${plan.source} as ${plan.reference}`,
      command: tools.docker.tagImageCommand(id, plan.reference),
      run: (signal) => tools.docker.tagImage(id, plan.reference, signal),
    },
    {
      title: `Load ${plan.reference} into the ${provider.name} cluster "${cluster}"`,
      command: provider.loadImageCommand(cluster, plan.reference),
      run: (signal) => provider.loadImage(cluster, plan.reference, signal),
    },
  ]
}

function keepStep(components: ImageComponent[], keep: () => void): Step {
  return {
    title: `Keep the local image of ${components.join(', ')} for later \`up\` runs (until \`geniro-dev image reset\`)`,
    run: async () => keep(),
  }
}

/** The chart upgrade an image change makes: the bundled chart, as `up` installs it, with --wait. */
async function upgradeStep(
  release: DeployedRelease,
  layers: ValuesLayer[],
  input: {timeoutSeconds: number; dryRun: boolean},
  ctx: ImageContext,
): Promise<{step: Step; layering: string[]}> {
  const {target, chart} = release
  // Generated values files (the release's values may hold API keys) exist only while Helm runs.
  const helm = await valuesFilesForHelm(layers, input.dryRun)
  const argv = await ctx.tools.helm.upgradeArgs({
    release: target.release,
    chart: BUNDLED_CHART,
    namespace: target.namespace,
    kubeContext: target.kubeContext,
    valuesFiles: helm.layers.map((layer) => layer.file),
    timeoutSeconds: input.timeoutSeconds,
    description: releaseDescription(chart.digest),
  })
  return {
    step: {
      title: `Upgrade release "${target.release}" and wait for the rollout`,
      command: argv,
      run: async (signal) => {
        try {
          await helm.whileWritten(() =>
            ctx.tools.helm.upgradeInstall(argv, (input.timeoutSeconds + 60) * 1000, signal),
          )
        } catch (error) {
          if (!(error instanceof GeniroError) || signal.aborted) throw error
          throw await installFailure(error, target, {...ctx, confirm: async () => false})
        }
      },
    },
    layering: helm.layers.map((layer) => layer.label),
  }
}

function runsChart(info: ReleaseInfo, chart: ChartIdentity): boolean {
  return info.chart === `${chart.name}-${chart.version}` && info.description.includes(chart.digest)
}

function toRecord(
  plan: LocalImagePlan,
  previous: Values | undefined,
  loadedAt = new Date().toISOString(),
): LocalImageRecord {
  return {
    component: plan.component,
    source: plan.source,
    imageId: plan.imageId ?? '',
    reference: plan.reference,
    image: plan.image,
    ...(previous ? {previous} : {}),
    loadedAt,
  }
}

function requireEnabled(values: Values, component: ImageComponent, release: string): void {
  if (imageComponentEnabled(values, component)) return
  throw new UserError(
    `component "${component}" is disabled in release "${release}"`,
    `enable it first: \`geniro-dev up ${enableHint(component)}\``,
  )
}

/** The image's ID in the local engine, or a clear refusal naming it. */
async function requireLocalImage(
  image: string,
  tools: Pick<Toolbox, 'docker'>,
  signal: AbortSignal,
): Promise<string> {
  const id = await tools.docker.imageId(image, signal)
  if (id) return id
  throw new UserError(
    `there is no image "${image}" in the local Docker engine`,
    'build it first (`docker build -t NAME .`, or `geniro-dev build --component api PATH`); `docker images` lists what is there',
  )
}

function lostImage(record: LocalImageRecord): UserError {
  return new UserError(
    `the local image kept for ${record.component} (${record.source}, ${record.imageId.slice(0, 19)}) is no longer in the Docker engine`,
    `load a new one (\`geniro-dev image load IMAGE --component ${record.component}\`) or go back to the published image (\`geniro-dev image reset --component ${record.component}\`)`,
  )
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
