import {UserError} from '../core/errors.js'
import {
  resolveTarget,
  summarizeTarget,
  type TargetInput,
  type TargetSummary,
} from './cluster-target.js'
import {
  StaleStateError,
  type ForwardStateDir,
  type ForwardStateLocation,
} from '../adapters/forward-state.js'
import {forgetRoutes} from '../adapters/bridge-state.js'
import {detachStep} from './bridge/route.js'
import {stopSupervisor} from '../forward/launcher.js'
import {describeSteps, runSteps, type Step} from './steps.js'
import type {UpContext} from './up.js'

export interface DownInput extends TargetInput {
  deleteCluster: boolean
  dryRun: boolean
}

export interface DownResult extends TargetSummary {
  forwardsStopped: boolean
  /** Bridge mode had attached the Compose container to the cluster's network; now undone. */
  composeDetached: boolean
  releaseRemoved: boolean
  clusterDeleted: boolean
}

/** `geniro-dev down`: uninstall the release, and delete the cluster only when asked. Idempotent. */
export async function down(input: DownInput, ctx: UpContext): Promise<DownResult> {
  const {tools, signal} = ctx
  const target = await resolveTarget(input, tools, signal)
  const {provider, cluster, namespace, release, kubeContext} = target
  if (input.deleteCluster && !target.managed) {
    throw new UserError(
      `--delete-cluster refuses to delete through kube context "${kubeContext}"`,
      'only clusters geniro-dev manages can be deleted',
    )
  }
  if (input.deleteCluster && !input.dryRun && target.state !== 'absent') {
    const ok = await ctx.confirm(
      `Delete the ${provider.name} cluster "${cluster}"? Its data is lost.`,
    )
    if (!ok)
      throw new UserError(
        `refusing to delete the cluster "${cluster}" without confirmation`,
        'pass --yes to confirm',
      )
  }

  const forwards = ctx.tools.state.releaseDir(target)
  // With --delete-cluster every release's forwards and records on that cluster go with it.
  const dirs = input.deleteCluster
    ? unique([forwards, ...ctx.tools.state.contextDirs(kubeContext)])
    : [forwards]
  const running = dirs.filter(hasSupervisor)
  const othersRunning = running.some((dir) => dir !== forwards)
  const steps: Step[] = [
    {
      title: othersRunning
        ? `Stop the port-forwards of every release on the cluster (${running.map((dir) => describeLocation(dir.location!)).join(', ')})`
        : 'Stop the port-forwards',
      command: [
        'geniro-dev',
        'forward',
        'stop',
        '--kube-context',
        kubeContext,
        '--namespace',
        namespace,
        '--release',
        release,
      ],
      ...(running.length > 0 ? {} : {skip: 'none running'}),
      run: async () => {
        for (const dir of running) await stopSupervisor(dir)
      },
    },
  ]
  const reachable = target.state === 'running' || !target.managed
  const existing = reachable
    ? await tools.helm.release(release, namespace, kubeContext, signal)
    : undefined
  steps.push({
    title: `Uninstall release "${release}" from namespace "${namespace}"`,
    command: tools.helm.uninstallArgs(release, namespace, kubeContext),
    ...(existing ? {} : {skip: reachable ? 'not installed' : `the cluster is ${target.state}`}),
    run: async (stepSignal) => {
      await tools.helm.uninstall(release, namespace, kubeContext, stepSignal)
    },
  })
  const detach = detachStep(dirs, tools)
  steps.push(detach)
  if (input.deleteCluster) {
    steps.push({
      title: `Delete ${provider.name} cluster "${cluster}"`,
      command: provider.deleteCommand(cluster),
      ...(target.state === 'absent' ? {skip: 'no such cluster'} : {}),
      run: async (stepSignal) => {
        await provider.delete(cluster, stepSignal)
      },
    })
  }
  const result: DownResult = {
    ...summarizeTarget(target, input.dryRun, describeSteps(steps)),
    forwardsStopped: running.length > 0,
    composeDetached: detach.detaches,
    releaseRemoved: Boolean(existing),
    clusterDeleted: input.deleteCluster && target.state !== 'absent',
  }
  if (!input.dryRun) {
    await runSteps(steps, {silent: ctx.silent}, signal)
    for (const dir of dirs) await forgetRoutes(dir)
    // The ports --next-free kept belong to the cluster and go with it (also when it was gone).
    if (input.deleteCluster) for (const dir of dirs) dir.remove()
  }
  return result
}

/** Whether a state dir names a supervisor; a damaged record counts (stopSupervisor cleans it). */
function hasSupervisor(dir: ForwardStateDir): boolean {
  try {
    return dir.readSupervisor() !== undefined
  } catch (error) {
    if (!(error instanceof StaleStateError)) throw error
    return true
  }
}

function unique(dirs: ForwardStateDir[]): ForwardStateDir[] {
  return dirs.filter((dir, i) => dirs.findIndex((other) => other.dir === dir.dir) === i)
}

function describeLocation(where: ForwardStateLocation): string {
  return `${where.namespace}/${where.release}`
}
