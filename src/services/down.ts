import {UserError} from '../core/errors.js'
import {
  resolveTarget,
  summarizeTarget,
  type TargetInput,
  type TargetSummary,
} from './cluster-target.js'
import {releaseStateDir, StaleStateError, type ProcessIdentity} from '../adapters/forward-state.js'
import {forgetRoutes} from '../adapters/bridge-state.js'
import {detachStep} from './bridge.js'
import {stopSupervisor} from './forward.js'
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

  const forwards = releaseStateDir(target)
  // A damaged record is no reason to keep a release: stopSupervisor cleans it, signalling nothing.
  let supervisor: ProcessIdentity | 'stale' | undefined
  try {
    supervisor = forwards.readSupervisor()
  } catch (error) {
    if (!(error instanceof StaleStateError)) throw error
    supervisor = 'stale'
  }
  const steps: Step[] = [
    {
      title: 'Stop the port-forwards',
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
      ...(supervisor ? {} : {skip: 'none running'}),
      run: async () => {
        await stopSupervisor(forwards)
      },
    },
  ]
  const running = target.state === 'running' || !target.managed
  const existing = running
    ? await tools.helm.release(release, namespace, kubeContext, signal)
    : undefined
  steps.push({
    title: `Uninstall release "${release}" from namespace "${namespace}"`,
    command: tools.helm.uninstallArgs(release, namespace, kubeContext),
    ...(existing ? {} : {skip: running ? 'not installed' : `the cluster is ${target.state}`}),
    run: async (stepSignal) => {
      await tools.helm.uninstall(release, namespace, kubeContext, stepSignal)
    },
  })
  const detach = await detachStep(target, tools)
  steps.push(detach)
  if (input.deleteCluster) {
    steps.push({
      title: `Delete ${provider.name} cluster "${cluster}"`,
      command: provider.deleteCommand(cluster),
      ...(target.state === 'absent' ? {skip: 'no such cluster'} : {}),
      run: async (stepSignal) => {
        await provider.delete(cluster, stepSignal)
        // The ports --next-free kept belong to this cluster and go with it.
        forwards.remove()
      },
    })
  }
  const result: DownResult = {
    ...summarizeTarget(target, input.dryRun, describeSteps(steps)),
    forwardsStopped: Boolean(supervisor),
    composeDetached: !detach.skip,
    releaseRemoved: Boolean(existing),
    clusterDeleted: input.deleteCluster && target.state !== 'absent',
  }
  if (!input.dryRun) {
    await runSteps(steps, {silent: ctx.silent}, signal)
    await forgetRoutes(forwards)
  }
  return result
}
