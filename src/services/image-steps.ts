// What image load, image reset and up --image share: the deployed release they change, the
// load plan, and the tag, load, keep and upgrade steps.
import {BUNDLED_CHART, chartIdentity, type ChartIdentity} from '../adapters/chart-source.js'
import type {ReleaseInfo} from '../adapters/helm.js'
import {readLocalImages, writeLocalImages, type LocalImageRecord} from '../adapters/image-state.js'
import {GeniroError, UserError} from '../core/errors.js'
import {
  enableHint,
  globalRegistry,
  imageBlock,
  imageComponentEnabled,
  localImageValues,
  planLocalImage,
  type ImageComponent,
  type LocalImagePlan,
} from '../core/image-override.js'
import {mergeValues, type Values} from '../core/set-values.js'
import {
  requireDockerEngine,
  resolveTarget,
  summarizeTarget,
  type Target,
  type TargetInput,
} from './cluster-target.js'
import {describeSteps, type Step} from './steps.js'
import type {Toolbox} from './toolbox.js'
import {sameValues} from '../core/values-equal.js'
import {installFailure} from './install-failure.js'
import {releaseDescription} from './up.js'
import {valuesFilesForHelm, type ValuesLayer} from './values.js'
import type {ImageContext, ImageLoadInput, ImageLoadResult} from './image.js'

export interface DeployedRelease {
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
export async function prepareRelease(
  input: TargetInput & {dryRun: boolean},
  component: ImageComponent,
  ctx: ImageContext,
): Promise<DeployedRelease> {
  const {tools, signal} = ctx
  const target = await resolveTarget(input, tools, signal)
  if (!input.dryRun) ctx.tools.state.ensureWritable(target)
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

export async function deployedRelease(
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
export async function planLoad(
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
  const files = ctx.tools.state.releaseDir(target)
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
export function imageSteps(plan: LocalImagePlan, target: Target, tools: Toolbox): Step[] {
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

export function keepStep(components: ImageComponent[], keep: () => void): Step {
  return {
    title: `Keep the local image of ${components.join(', ')} for later \`up\` runs (until \`geniro-dev image reset\`)`,
    run: async () => keep(),
  }
}

/** The chart upgrade an image change makes: the bundled chart, as `up` installs it, with --wait. */
export async function upgradeStep(
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
          throw await installFailure(error, target, ctx)
        }
      },
    },
    layering: helm.layers.map((layer) => layer.label),
  }
}

function runsChart(info: ReleaseInfo, chart: ChartIdentity): boolean {
  return info.chart === `${chart.name}-${chart.version}` && info.description.includes(chart.digest)
}

export function toRecord(
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

export function requireEnabled(values: Values, component: ImageComponent, release: string): void {
  if (imageComponentEnabled(values, component)) return
  throw new UserError(
    `component "${component}" is disabled in release "${release}"`,
    `enable it first: \`geniro-dev up ${enableHint(component)}\``,
  )
}

/** The image's ID in the local engine, or a clear refusal naming it. */
export async function requireLocalImage(
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

export function lostImage(record: LocalImageRecord): UserError {
  return new UserError(
    `the local image kept for ${record.component} (${record.source}, ${record.imageId.slice(0, 19)}) is no longer in the Docker engine`,
    `load a new one (\`geniro-dev image load IMAGE --component ${record.component}\`) or go back to the published image (\`geniro-dev image reset --component ${record.component}\`)`,
  )
}
