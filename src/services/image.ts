import {
  readLocalImages,
  forgetLocalImages,
  writeLocalImages,
  type LocalImageRecord,
} from '../adapters/image-state.js'
import {UserError} from '../core/errors.js'
import {
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
import {
  requireDockerEngine,
  resolveTarget,
  summarizeTarget,
  type Target,
  type TargetInput,
  type TargetSummary,
} from './cluster-target.js'
import {describeSteps, runSteps, type Step} from './steps.js'
import type {ServiceContext} from './context.js'
import type {Toolbox} from './toolbox.js'
import {sameValues} from '../core/values-equal.js'
import {mergeLayers, type ValuesLayer} from './values.js'
import {
  type DeployedRelease,
  deployedRelease,
  imageSteps,
  keepStep,
  lostImage,
  planLoad,
  prepareRelease,
  requireEnabled,
  requireLocalImage,
  toRecord,
  upgradeStep,
} from './image-steps.js'

/** `up --image api=IMAGE`: a component and the local image it runs. */
export interface ImageAssignment {
  component: ImageComponent
  image: string
}

export type ImageContext = Pick<ServiceContext, 'tools' | 'signal' | 'silent' | 'note'>

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
  if (!input.dryRun) ctx.tools.state.ensureWritable(target)
  const files = ctx.tools.state.releaseDir(target)
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
  const records = readLocalImages(ctx.tools.state.releaseDir(target))
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
  const files = tools.state.releaseDir(target)
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
