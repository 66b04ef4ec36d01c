import {BUNDLED_CHART, chartIdentity} from '../adapters/chart-source.js'
import type {ReleaseInfo} from '../adapters/helm.js'
import type {ClusterSpec} from '../core/cluster.js'
import {clusterDrift} from '../core/cluster-drift.js'
import {GeniroError, UserError} from '../core/errors.js'
import {firstLogin, type FirstLogin} from '../core/first-login.js'
import {serviceUrls, type ServiceUrl} from '../core/forward-urls.js'
import {sameValues} from '../core/values-equal.js'
import type {Version} from '../core/version.js'
import {
  requireLocalApiServer,
  resolveTarget,
  summarizeTarget,
  type Target,
  type TargetInput,
  type TargetSummary,
} from './cluster-target.js'
import {prepareBridge, type BridgeSummary} from './bridge/index.js'
import {planBridge, requireAdminPassword, type BridgeInput} from './bridge/plan.js'
import {installFailure} from './install-failure.js'
import {forwardStep, type ForwardOptions, type ForwardResult} from './forward.js'
import {planUpImages, type ImageAssignment} from './image.js'
import {describeSteps, runSteps, type Step} from './steps.js'
import type {ServiceContext} from './context.js'
import type {Toolbox} from './toolbox.js'
import {mergeLayers, valuesFilesForHelm, valuesLayers} from './values.js'

export interface UpInput extends TargetInput {
  kubernetesVersion: Version
  nodeImage?: string
  valuesFiles: string[]
  sets: string[]
  timeoutSeconds: number
  recreate: boolean
  forceUpgrade: boolean
  dryRun: boolean
  /** The forwards to start at the end; undefined with --no-forward. */
  forward?: ForwardOptions
  /** Bridge mode (`bridge`, `up --mode bridge`): the Compose stack's PostgreSQL. */
  bridge?: BridgeInput
  /** `--image COMPONENT=IMAGE`: local images to load and run (kept for later runs). */
  images?: ImageAssignment[]
}

/** `up` (and `down`) use all of the service context. */
export type UpContext = ServiceContext

export type ClusterAction = 'created' | 'started' | 'reused' | 'recreated' | 'external'
export type ReleaseAction = 'installed' | 'upgraded' | 'unchanged'

export interface UpResult extends TargetSummary {
  mode: 'isolated' | 'bridge'
  /** Bridge mode: which Compose PostgreSQL, how pods reach it, and the cluster's own databases. */
  bridge?: BridgeSummary
  clusterAction: ClusterAction
  releaseAction: ReleaseAction
  chart: {name: string; version: string; digest: string}
  /** The values layers in the order Helm applies them (later wins). */
  layering: string[]
  urls: ServiceUrl[]
  /** How to sign in when the values seed a realm user (the local-development defaults do). */
  login?: FirstLogin
  /** The forwards started (or found running) at the end; absent with --no-forward. */
  forwards?: ForwardResult
  /** What the user should know, e.g. a reused cluster running another Kubernetes. */
  warnings?: string[]
}

/** The description geniro-dev records on every revision it installs. */
export function releaseDescription(digest: string): string {
  return `geniro-dev chart-digest=${digest}`
}

/**
 * `geniro-dev up`: ensure the local cluster, install or upgrade the chart with isolated
 * values, wait until ready. Every input is checked before anything changes; a healthy
 * environment whose release already has these values and this chart makes no mutating call.
 */
export async function up(input: UpInput, ctx: UpContext): Promise<UpResult> {
  const {tools, signal} = ctx
  const layers = await valuesLayers(input)
  // Bridge mode reads the Compose project and plans its databases before anything changes.
  const source = input.bridge ? await planBridge(input.bridge, tools.compose) : undefined
  if (source && !input.dryRun) requireAdminPassword(source)
  let target = await resolveTarget(input, tools, signal)
  // Forwards and bridge records live in the state dir: an unusable one fails before any change.
  if (!input.dryRun) ctx.tools.state.ensureWritable(target)
  const chart = await chartIdentity()

  if (input.recreate && !input.dryRun && target.state !== 'absent') {
    const ok = await ctx.confirm(
      `Delete and re-create the ${target.provider.name} cluster "${target.cluster}"? Its data is lost.`,
    )
    if (!ok) {
      throw new UserError(
        `refusing to recreate the cluster "${target.cluster}" without confirmation`,
        'pass --yes to confirm',
      )
    }
  }

  const clusterAction = plannedClusterAction(target, input.recreate)
  const drift =
    clusterAction === 'reused' ? await driftWarning(target, input, tools, signal) : undefined
  if (drift) ctx.note(`Warning: ${drift}`)
  const spec: ClusterSpec = {
    name: target.cluster,
    kubernetesVersion: input.kubernetesVersion,
    nodeImage: input.nodeImage,
  }
  let steps: Step[] = clusterSteps(target, clusterAction, spec)
  const fresh = clusterAction === 'created' || clusterAction === 'recreated'
  // resolveTarget proved an existing cluster's context; a new one is proven once it exists.
  if (fresh && !input.allowRemoteContext && !input.dryRun) {
    const created = target
    steps.push({
      title: `Check that context "${target.kubeContext}" leads to the new cluster's API server`,
      run: (stepSignal) => requireLocalApiServer(created, tools, stepSignal),
    })
  }

  let bridge: UpResult['bridge']
  if (source && input.bridge) {
    // How pods reach the host depends on the cluster's network: a new cluster comes first.
    if (fresh && !input.dryRun) {
      await runSteps(steps, {silent: ctx.silent}, signal)
      steps = steps.map(({title}) => ({title, skip: 'done'}))
      target = await resolveTarget(input, tools, signal)
    }
    const prepared = await prepareBridge(source, target, input.bridge, {
      ...ctx,
      dryRun: input.dryRun,
      // A cluster still to be created has no network to probe and no Secret to read.
      planOnly: fresh && input.dryRun,
    })
    layers.splice(1, 0, prepared.layer)
    steps.push(...prepared.steps)
    bridge = prepared.summary
  }
  // Local images (`--image`, and those kept by earlier runs) go over every other layer.
  const localImages = await planUpImages(target, input.images ?? [], layers, tools, signal)
  if (localImages.layer) layers.push(localImages.layer)
  const desired = mergeLayers(layers)

  // Generated values files (--set may hold API keys) exist only while the Helm step runs.
  const helmValues = await valuesFilesForHelm(layers, input.dryRun)
  const helmLayers = helmValues.layers
  const upgradeArgv = await tools.helm.upgradeArgs({
    release: target.release,
    chart: BUNDLED_CHART,
    namespace: target.namespace,
    kubeContext: target.kubeContext,
    valuesFiles: helmLayers.map((layer) => layer.file),
    timeoutSeconds: input.timeoutSeconds,
    description: releaseDescription(chart.digest),
  })
  const existing =
    fresh && (input.dryRun || !source)
      ? undefined
      : await tools.helm.release(target.release, target.namespace, target.kubeContext, signal)
  steps.push(...recoverySteps(existing, target, tools))
  let releaseAction: ReleaseAction =
    existing && existing.status !== 'pending-install' ? 'upgraded' : 'installed'
  if (existing && !input.forceUpgrade && existing.status === 'deployed') {
    const sameChart =
      existing.chart === `${chart.name}-${chart.version}` &&
      existing.description.includes(chart.digest)
    if (
      sameChart &&
      sameValues(
        await tools.helm.userValues(target.release, target.namespace, target.kubeContext, signal),
        desired,
      )
    ) {
      releaseAction = 'unchanged'
    }
  }
  steps.push(...localImages.steps(releaseAction === 'unchanged'))
  steps.push({
    title: `Install chart ${chart.name} ${chart.version} as release "${target.release}" in namespace "${target.namespace}"`,
    command: upgradeArgv,
    ...(releaseAction === 'unchanged'
      ? {skip: `unchanged (revision ${existing?.revision}); --force-upgrade re-applies it`}
      : {}),
    run: async (stepSignal) => {
      try {
        await helmValues.whileWritten(() =>
          tools.helm.upgradeInstall(upgradeArgv, (input.timeoutSeconds + 60) * 1000, stepSignal),
        )
      } catch (error) {
        if (!(error instanceof GeniroError) || stepSignal.aborted) throw error
        throw await installFailure(error, target, ctx)
      }
    },
  })

  const forwarding = input.forward
    ? await forwardStep(target, desired, input.forward, {...ctx, dryRun: input.dryRun})
    : undefined
  if (forwarding) steps.push(forwarding.step)

  const result: UpResult = {
    ...summarizeTarget(target, input.dryRun, describeSteps(steps)),
    mode: source ? 'bridge' : 'isolated',
    ...(bridge ? {bridge} : {}),
    clusterAction,
    releaseAction,
    chart,
    layering: helmLayers.map((layer) => layer.label),
    urls: serviceUrls(desired),
    ...(drift ? {warnings: [drift]} : {}),
  }
  const login = firstLogin(desired, result, result.urls)
  if (login) result.login = login
  if (input.dryRun) return result
  printLayering(helmLayers, ctx)
  await runSteps(steps, {silent: ctx.silent}, signal)
  const forwards = forwarding?.result()
  if (!forwards) return result
  const ports = Object.fromEntries(forwards.forwards.map((f) => [f.name, f.localPort]))
  const urls = serviceUrls(desired, ports)
  const forwardedLogin = firstLogin(desired, result, urls)
  return {...result, forwards, urls, ...(forwardedLogin ? {login: forwardedLogin} : {})}
}

/** A reused cluster that runs another Kubernetes than asked for; no answer is no warning. */
async function driftWarning(
  target: Target,
  input: UpInput,
  tools: Toolbox,
  signal: AbortSignal,
): Promise<string | undefined> {
  const running = await tools.kubectl
    .serverVersion(target.kubeContext, signal)
    .catch((error: unknown) => {
      if (error instanceof GeniroError && !signal.aborted) return undefined
      throw error
    })
  if (!running) return undefined
  return clusterDrift({
    provider: target.provider.name,
    cluster: target.cluster,
    running,
    requested: input.kubernetesVersion,
    nodeImage: input.nodeImage,
  })
}

function printLayering(layers: Array<{label: string}>, ctx: UpContext): void {
  ctx.note(
    `Values, in the order Helm applies them (later wins):\n${layers.map((layer, i) => `  ${i + 1}. ${layer.label}`).join('\n')}`,
  )
}

/**
 * A helm stopped while it waited (Ctrl-C, a killed terminal) leaves its revision pending-*,
 * and Helm then refuses every operation. A first install that never finished is removed; an
 * upgrade or rollback is rolled back to the revision before it. Then the install runs again.
 */
function recoverySteps(existing: ReleaseInfo | undefined, target: Target, tools: Toolbox): Step[] {
  if (!existing?.status.startsWith('pending-')) return []
  const {release, namespace, kubeContext} = target
  if (existing.status === 'pending-install') {
    return [
      {
        title: `Remove the unfinished install of "${release}" (revision ${existing.revision} is ${existing.status})`,
        command: tools.helm.uninstallArgs(release, namespace, kubeContext),
        run: async (signal) => {
          await tools.helm.uninstall(release, namespace, kubeContext, signal)
        },
      },
    ]
  }
  return [
    {
      title: `Roll back the unfinished change to "${release}" (revision ${existing.revision} is ${existing.status})`,
      command: tools.helm.rollbackArgs(release, namespace, kubeContext),
      run: (signal) => tools.helm.rollback(release, namespace, kubeContext, signal),
    },
  ]
}

function plannedClusterAction(target: Target, recreate: boolean): ClusterAction {
  if (!target.managed) return 'external'
  if (target.state === 'absent') return 'created'
  if (recreate) return 'recreated'
  return target.state === 'stopped' ? 'started' : 'reused'
}

function clusterSteps(target: Target, action: ClusterAction, spec: ClusterSpec): Step[] {
  const {provider, cluster} = target
  const label = `${provider.name} cluster "${cluster}"`
  switch (action) {
    case 'external':
      return [
        {
          title: `Use kube context "${target.kubeContext}"`,
          skip: 'not a cluster geniro-dev manages (--allow-remote-context)',
        },
      ]
    case 'reused':
      return [{title: `Ensure ${label}`, skip: 'running; reused'}]
    case 'started':
      return [
        {
          title: `Start ${label}`,
          command: provider.startCommand(cluster),
          run: (signal) => provider.start(cluster, signal),
        },
      ]
    case 'created':
      return [
        {
          title: `Create ${label}`,
          command: provider.createCommand(spec),
          run: (signal) => provider.create(spec, signal),
        },
      ]
    case 'recreated':
      return [
        {
          title: `Delete ${label}`,
          command: provider.deleteCommand(cluster),
          run: (signal) => provider.delete(cluster, signal),
        },
        {
          title: `Create ${label}`,
          command: provider.createCommand(spec),
          run: (signal) => provider.create(spec, signal),
        },
      ]
  }
}
