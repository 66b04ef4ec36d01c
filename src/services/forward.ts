import {UserError} from '../core/errors.js'
import {
  FORWARD_NAMES,
  planForwards,
  planLocalPorts,
  type ReleaseService,
} from '../core/forward-plan.js'
import {
  DEFAULT_CONNECT_WAIT_MS,
  DEFAULT_HEALTH_INTERVAL_MS,
  type SupervisorSpec,
} from '../forward/supervisor.js'
import {readForwardStatus, type ForwardStatusReport} from '../forward/status.js'
import {componentEnabled} from '../core/forward-urls.js'
import type {Values} from '../core/set-values.js'
import {resolveTarget, type Target, type TargetInput} from './cluster-target.js'
import type {Step} from './steps.js'
import type {ServiceContext} from './context.js'
import {type MovedPort, publishedByCompose, settlePorts} from './port-check.js'
import {LOCK_TIMEOUT_MS, runInForeground, startSupervisor, stopLocked} from '../forward/launcher.js'

export interface ForwardOptions {
  /** `--only`: component names (empty: all). */
  only: string[]
  /** `--port NAME=PORT` and config-file ports, parsed. */
  overrides: Record<string, number>
  nextFree: boolean
  /** How long to wait for every tunnel to be ready. */
  timeoutSeconds: number
}

export type ForwardContext = Pick<ServiceContext, 'tools' | 'signal' | 'note'>

export interface ForwardResult extends ForwardStatusReport {
  kubeContext: string
  namespace: string
  release: string
  /** A supervisor was already running: it was reported, not duplicated. */
  alreadyRunning: boolean
  /** The pid of a dead supervisor whose leftovers were cleaned up first. */
  staleCleaned?: number
  /** Ports `--next-free` moved (kept for this cluster on later runs). */
  moved: MovedPort[]
  logFile: string
}

/** `geniro-dev forward`: resolve the cluster, then run the forwards of its release. */
export async function forward(
  input: TargetInput & ForwardOptions & {foreground: boolean},
  ctx: ForwardContext,
): Promise<ForwardResult> {
  const target = await resolveTarget(input, ctx.tools, ctx.signal)
  if (target.managed && target.state !== 'running') {
    throw new UserError(
      `the ${target.provider.name} cluster "${target.cluster}" is ${target.state === 'absent' ? 'not there' : 'stopped'}`,
      'run `geniro-dev up` first',
    )
  }
  ctx.tools.state.ensureWritable(target)
  const services = await ctx.tools.kubectl.releaseServices(
    target.release,
    target.namespace,
    target.kubeContext,
    ctx.signal,
  )
  if (services.length === 0) {
    throw new UserError(
      `release "${target.release}" has no Services in namespace "${target.namespace}" of context "${target.kubeContext}"`,
      'install it with `geniro-dev up` first',
    )
  }
  return startForwards(target, services, input, ctx, input.foreground)
}

/**
 * Starts the forwards of a release (or reports the supervisor already running them), after
 * checking every local port for collisions. With `foreground`, runs them in this process
 * until `ctx.signal` aborts (Ctrl-C), then stops them all.
 */
export async function startForwards(
  target: Target,
  services: readonly ReleaseService[],
  options: ForwardOptions,
  ctx: ForwardContext,
  foreground = false,
): Promise<ForwardResult> {
  // Both callers (forward, up) checked the state dir before anything changed.
  const files = ctx.tools.state.releaseDir(target)
  const release = await files.lock(LOCK_TIMEOUT_MS)
  // Released once the forwards run: a foreground supervisor holds no lock until Ctrl-C, so
  // another `forward` meanwhile reports it instead of waiting for the lock.
  let locked = true
  const unlock = () => {
    if (locked) release()
    locked = false
  }
  try {
    const base = {
      kubeContext: target.kubeContext,
      namespace: target.namespace,
      release: target.release,
      logFile: files.logFile,
      moved: [] as MovedPort[],
    }
    if (files.liveSupervisor()) {
      return {...base, ...readForwardStatus(files), alreadyRunning: true}
    }
    // Leftovers of a supervisor that died (kill -9): its tunnels, its state files.
    const staleCleaned = (await stopLocked(files)).pid
    const kept = files.keptPorts()
    const planned = planForwards({
      services,
      only: options.only,
      overrides: options.overrides,
      kept,
    })
    const {forwards, moved} = await settlePorts(
      planned,
      await publishedByCompose(ctx.tools),
      options.nextFree,
      ctx.tools.hostPorts,
    )
    if (moved.length > 0) {
      files.keepPorts({...kept, ...Object.fromEntries(moved.map((m) => [m.name, m.to]))})
      for (const m of moved) ctx.note(`${m.name}: port ${m.from} is taken; using ${m.to}`)
    }
    const spec: SupervisorSpec = {
      kubectl: 'kubectl',
      kubeContext: target.kubeContext,
      namespace: target.namespace,
      release: target.release,
      forwards,
      connectWaitMs: DEFAULT_CONNECT_WAIT_MS,
      healthIntervalMs: DEFAULT_HEALTH_INTERVAL_MS,
    }
    const result = {...base, moved, ...(staleCleaned ? {staleCleaned} : {}), alreadyRunning: false}
    if (foreground)
      return {...result, ...(await runInForeground(spec, files, options, ctx, unlock))}
    return {...result, ...(await startSupervisor(spec, files, options, ctx))}
  } finally {
    unlock()
  }
}

/**
 * The forwards at the end of `up` and `bridge`. Their ports are checked now, before the
 * install changes anything; the step itself lists the release's Services and starts them.
 * A supervisor already running for this cluster is kept (a re-run changes nothing).
 */
export async function forwardStep(
  target: Target,
  values: Values,
  options: ForwardOptions,
  ctx: ForwardContext & {dryRun: boolean},
): Promise<{step: Step; result: () => ForwardResult | undefined}> {
  const files = ctx.tools.state.releaseDir(target)
  const running = files.liveSupervisor()
  if (!running && !ctx.dryRun) {
    const planned = planLocalPorts({
      components: FORWARD_NAMES.filter((name) => componentEnabled(values, name)),
      only: options.only,
      overrides: options.overrides,
      kept: files.keptPorts(),
    })
    await settlePorts(
      planned,
      await publishedByCompose(ctx.tools),
      options.nextFree,
      ctx.tools.hostPorts,
    )
  }
  let started: ForwardResult | undefined
  const step: Step = {
    title: 'Start the port-forwards',
    command: [
      'geniro-dev',
      'forward',
      '--kube-context',
      target.kubeContext,
      '--namespace',
      target.namespace,
      '--release',
      target.release,
      ...options.only.flatMap((name) => ['--only', name]),
      ...Object.entries(options.overrides).flatMap(([name, port]) => ['--port', `${name}=${port}`]),
      ...(options.nextFree ? ['--next-free'] : []),
    ],
    ...(running ? {skip: `already running (supervisor pid ${running.pid})`} : {}),
    run: async (signal) => {
      const services = await ctx.tools.kubectl.releaseServices(
        target.release,
        target.namespace,
        target.kubeContext,
        signal,
      )
      started = await startForwards(target, services, options, {...ctx, signal})
    },
  }
  const result = (): ForwardResult | undefined =>
    started ??
    (running
      ? {
          ...readForwardStatus(files),
          kubeContext: target.kubeContext,
          namespace: target.namespace,
          release: target.release,
          alreadyRunning: true,
          moved: [],
          logFile: files.logFile,
        }
      : undefined)
  return {step, result}
}
