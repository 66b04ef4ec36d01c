import {spawn} from 'node:child_process'
import {openSync, closeSync, writeFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import type {ComposePort} from '../core/compose-model.js'
import {GeniroError, InterruptedError, ToolFailedError, UserError} from '../core/errors.js'
import {
  nextFreeCandidates,
  planForwards,
  type ForwardSpec,
  type ReleaseService,
  type SupervisorState,
} from '../core/forward-plan.js'
import {addressesInUse, findPortHolder, firstFreePort} from '../adapters/host-ports.js'
import {SUPERVISOR_ENTRY} from '../adapters/package-files.js'
import {
  ensureStateDirWritable,
  readText,
  releaseStateDir,
  StaleStateError,
  type ForwardStateDir,
  type ProcessIdentity,
} from '../adapters/forward-state.js'
import {
  proveProcess,
  signalGroup,
  signalProcess,
  type ProcessFacts,
} from '../adapters/process-identity.js'
import {supervisorEnvironment} from '../core/supervisor-env.js'
import {
  DEFAULT_CONNECT_WAIT_MS,
  DEFAULT_HEALTH_INTERVAL_MS,
  Supervisor,
  type SupervisorSpec,
} from '../forward/supervisor.js'
import {readForwardStatus, type ForwardStatusReport} from '../forward/status.js'
import {componentEnabled} from '../core/forward-urls.js'
import {FORWARD_TARGETS} from '../core/port-table.js'
import type {Values} from '../core/set-values.js'
import {resolveTarget, type Target, type TargetInput} from './cluster-target.js'
import type {Step} from './steps.js'
import type {Toolbox} from './toolbox.js'

export interface ForwardOptions {
  /** `--only`: component names (empty: all). */
  only: string[]
  /** `--port NAME=PORT` and config-file ports, parsed. */
  overrides: Record<string, number>
  nextFree: boolean
  /** How long to wait for every tunnel to be ready. */
  timeoutSeconds: number
}

export interface ForwardContext {
  tools: Toolbox
  signal: AbortSignal
  note: (line: string) => void
}

export interface PortConflict {
  port: number
  forward: string
  holder: string
}

export interface MovedPort {
  name: string
  from: number
  to: number
}

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

const LOCK_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 3_000

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
  ensureStateDirWritable(target)
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
  const files = releaseStateDir(target)
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
  const files = releaseStateDir(target)
  const running = files.liveSupervisor()
  if (!running && !ctx.dryRun) {
    const planned = planForwards({
      services: FORWARD_TARGETS.filter((t) => componentEnabled(values, t.component)).map((t) => ({
        component: t.component,
        name: t.component,
      })),
      only: options.only,
      overrides: options.overrides,
      kept: files.keptPorts(),
    })
    await settlePorts(planned, await publishedByCompose(ctx.tools), options.nextFree)
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

/** Ports the running Compose containers publish; none when no engine answers. */
async function publishedByCompose(tools: Toolbox): Promise<ComposePort[]> {
  try {
    return await tools.docker.composePorts()
  } catch (error) {
    if (error instanceof GeniroError) return []
    throw error
  }
}

/**
 * Local ports for the planned forwards: each must be free on 127.0.0.1, 0.0.0.0 and ::1
 * and not published by a Compose service. Conflicts fail, naming the holder, unless
 * `nextFree` moves the forward to the next free port above.
 */
export async function settlePorts(
  planned: readonly ForwardSpec[],
  composePorts: readonly ComposePort[],
  nextFree: boolean,
): Promise<{forwards: ForwardSpec[]; moved: MovedPort[]}> {
  const forwards: ForwardSpec[] = []
  const moved: MovedPort[] = []
  const conflicts: PortConflict[] = []
  const chosen = new Set(planned.map((spec) => spec.localPort))
  for (const spec of planned) {
    const holder = await portOccupant(spec.localPort, composePorts)
    if (!holder) {
      forwards.push(spec)
      continue
    }
    if (!nextFree) {
      conflicts.push({port: spec.localPort, forward: spec.name, holder})
      continue
    }
    const candidates = nextFreeCandidates(spec.localPort)
    // get-port binds each candidate; Compose's ports count as taken even before the stack runs.
    const published = candidates.filter((port) => composePublisher(port, composePorts))
    const to = await firstFreePort(candidates, [...chosen, ...published])
    if (to === undefined) {
      conflicts.push({port: spec.localPort, forward: spec.name, holder})
      continue
    }
    chosen.add(to)
    forwards.push({...spec, localPort: to})
    moved.push({name: spec.name, from: spec.localPort, to})
  }
  if (conflicts.length > 0) throw new PortConflictError(conflicts)
  return {forwards, moved}
}

/** Who holds a local port: a Compose service that publishes it, a process, or nobody. */
export async function portOccupant(
  port: number,
  composePorts: readonly ComposePort[],
): Promise<string | undefined> {
  return composePublisher(port, composePorts) ?? (await boundHolder(port))
}

/** The Compose service that publishes (or, from its files, will publish) a host port. */
export function composePublisher(
  port: number,
  composePorts: readonly ComposePort[],
): string | undefined {
  // A host range (8000-8010:80) holds every port in it.
  const published = composePorts.find(
    (p) =>
      p.protocol === 'tcp' && port >= p.published && port <= (p.publishedRangeEnd ?? p.published),
  )
  return published
    ? `Compose service "${published.service}" of project "${published.project}" publishes it`
    : undefined
}

/** What listens on a local port now (on 127.0.0.1, 0.0.0.0 or ::1), if anything. */
export async function boundHolder(port: number): Promise<string | undefined> {
  const taken = await addressesInUse(port)
  if (taken.length === 0) return undefined
  const holder = await findPortHolder(port)
  return holder ? `held by ${holder.description}` : `taken on ${taken.join(', ')}`
}

export class PortConflictError extends UserError {
  constructor(readonly conflicts: PortConflict[]) {
    super(
      conflicts.map((c) => `port ${c.port} for ${c.forward} is taken: ${c.holder}`).join('\n'),
      `free it, pick another with --port ${conflicts[0]?.forward}=PORT, or pass --next-free`,
    )
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), conflicts: this.conflicts}
  }
}

async function startSupervisor(
  spec: SupervisorSpec,
  files: ForwardStateDir,
  options: ForwardOptions,
  ctx: ForwardContext,
): Promise<ForwardStatusReport> {
  files.ensure()
  writeFileSync(files.specFile, JSON.stringify(spec, null, 2), {mode: 0o600})
  const log = openSync(files.logFile, 'a', 0o600)
  // Detached: its own process group, which `forward stop` signals as a whole. Not through the
  // exec seam: the supervisor outlives this command and is never awaited.
  const child = spawn(process.execPath, [SUPERVISOR_ENTRY, files.dir], {
    detached: true,
    stdio: ['ignore', log, log],
    // Only what it and kubectl need of the user's environment (no PGPASSWORD and the like).
    // glibc keeps the relay's freed 64 KiB socket buffers in its heap (measured: RSS 44 →
    // 80 MiB after 192 MiB relayed); mapping buffers above 16 KiB returns them (→ ~55 MiB).
    env: {
      ...supervisorEnvironment(process.env),
      MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '16384',
    },
  })
  closeSync(log)
  child.unref()
  let exited: number | null | undefined
  child.once('exit', (code) => (exited = code))
  const ready = await waitUntilSettled(
    () => (exited === undefined ? files.readState() : undefined),
    () => exited !== undefined,
    options.timeoutSeconds,
    ctx.signal,
  )
  if (ready.ok) return readForwardStatus(files)
  await stopLocked(files)
  // Not yet recorded (it never got as far as its pidfile): our own child, known by its handle.
  if (exited === undefined) child.kill('SIGKILL')
  // Ctrl-C while the tunnels start: stopped and cleaned up, an interruption, not a failure.
  if (ctx.signal.aborted) throw new InterruptedError('interrupted while the forwards started')
  throw forwardFailure(ready.state, exited !== undefined ? lastStartFailure(files) : undefined)
}

async function runInForeground(
  spec: SupervisorSpec,
  files: ForwardStateDir,
  options: ForwardOptions,
  ctx: ForwardContext,
  ready: () => void,
): Promise<ForwardStatusReport> {
  const supervisor = new Supervisor(spec, files)
  try {
    await supervisor.start()
  } catch (error) {
    throw forwardFailure(undefined, (error as Error).message)
  }
  const settled = await waitUntilSettled(
    () => supervisor.state(),
    () => false,
    options.timeoutSeconds,
    ctx.signal,
  )
  if (!settled.ok) {
    await supervisor.stop()
    if (ctx.signal.aborted) throw new InterruptedError('interrupted while the forwards started')
    throw forwardFailure(settled.state)
  }
  ready()
  ctx.note(
    `Forwarding (Ctrl-C stops):\n${supervisor
      .state()
      .forwards.map(
        (f) => `  ${f.name.padEnd(14)} 127.0.0.1:${f.localPort} -> ${f.target}:${f.remotePort}`,
      )
      .join('\n')}`,
  )
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve()
    else ctx.signal.addEventListener('abort', () => resolve(), {once: true})
  })
  const last = supervisor.state()
  await supervisor.stop()
  return {supervisor: {pid: process.pid, running: false}, forwards: last.forwards}
}

/** Polls the state until every forward is ready, one failed, the process died, or time ran out. */
async function waitUntilSettled(
  read: () => SupervisorState | undefined,
  died: () => boolean,
  timeoutSeconds: number,
  signal: AbortSignal,
): Promise<{ok: boolean; state?: SupervisorState}> {
  const deadline = Date.now() + timeoutSeconds * 1000
  let state: SupervisorState | undefined
  while (Date.now() < deadline && !signal.aborted && !died()) {
    state = read() ?? state
    const forwards = state?.forwards ?? []
    if (forwards.length > 0 && forwards.every((f) => f.state === 'ready')) return {ok: true, state}
    if (forwards.some((f) => f.state === 'failed')) return {ok: false, state}
    await sleep(50)
  }
  return {ok: false, state}
}

function forwardFailure(state: SupervisorState | undefined, reason?: string): GeniroError {
  const failing = (state?.forwards ?? []).filter((f) => f.state !== 'ready')
  const details =
    reason ??
    (failing.length > 0
      ? failing
          .map((f) => `${f.name} (${f.target}:${f.remotePort}): ${f.lastError ?? f.state}`)
          .join('; ')
      : 'the supervisor did not report ready in time')
  return new ToolFailedError(
    'kubectl port-forward',
    undefined,
    details,
    'check the pods with `geniro-dev status`; `geniro-dev forward logs` shows the supervisor log',
  )
}

function lastStartFailure(files: ForwardStateDir): string | undefined {
  const lines = readText(files.logFile).trimEnd().split('\n')
  const line = lines.reverse().find((l) => l.includes('start failed: '))
  return line?.slice(line.indexOf('start failed: ') + 'start failed: '.length)
}

export interface StopResult {
  /** A running supervisor, proven ours, was stopped. */
  stopped: boolean
  /** The pid its record named. */
  pid?: number
  /** Why the record was stale (nothing was signalled): it is gone, or the pid names another process. */
  stale?: string
  /** State files that could not be read, removed. */
  cleaned?: string[]
}

/**
 * `forward stop` (and `down`): stops the supervisor of this context and namespace under the
 * start lock, so a start in progress finishes first. Idempotent: nothing running is not an
 * error; stale state is cleaned.
 */
export async function stopSupervisor(files: ForwardStateDir): Promise<StopResult> {
  if (!files.exists()) return {stopped: false}
  const release = await files.lock(LOCK_TIMEOUT_MS)
  try {
    return await stopLocked(files)
  } finally {
    release()
  }
}

/**
 * Stops the supervisor (the lock held): a record proven to name our supervisor is signalled
 * — its whole process group when it leads one (TERM, then KILL after the grace) — and a
 * record that fails the proof signals nothing. kubectl tunnels left by a supervisor that
 * died are killed only when each is proven to be the process it recorded. Then its state
 * files, and any state file that cannot be read, are removed.
 */
async function stopLocked(files: ForwardStateDir): Promise<StopResult> {
  let recorded: ProcessIdentity | undefined
  let stale: string | undefined
  try {
    recorded = files.readSupervisor()
  } catch (error) {
    if (!(error instanceof StaleStateError)) throw error
    stale = `${error.file} ${error.problem}`
  }
  // Read first: a supervisor that stops removes the record of its tunnels.
  const tunnels = tunnelsOf(files)
  let stopped = false
  if (recorded) {
    const proof = files.proveSupervisor(recorded)
    if (proof.ours) {
      await terminate(() => files.proveSupervisor(recorded), proof.detached === true)
      stopped = true
    } else stale = proof.reason
  }
  await killTunnels(tunnels)
  const cleaned = files.removeUnreadable()
  files.clear()
  return {
    stopped,
    ...(recorded ? {pid: recorded.pid} : {}),
    ...(stale ? {stale} : {}),
    ...(cleaned.length > 0 ? {cleaned} : {}),
  }
}

/**
 * TERM, then KILL after the grace; each signal only while `prove` still says the process is
 * ours. A detached supervisor leads its own group: the group is signalled, tunnels included.
 */
async function terminate(
  prove: () => {ours: true; facts: ProcessFacts} | {ours: false},
  asGroup: boolean,
): Promise<void> {
  const send = (signal: NodeJS.Signals): boolean => {
    const proof = prove()
    if (!proof.ours) return false
    return asGroup ? signalGroup(proof.facts, signal) : signalProcess(proof.facts.pid, signal)
  }
  if (!send('SIGTERM')) return
  const deadline = Date.now() + STOP_GRACE_MS
  while (prove().ours && Date.now() < deadline) await sleep(25)
  if (!send('SIGKILL')) return
  const gone = Date.now() + STOP_GRACE_MS
  while (prove().ours && Date.now() < gone) await sleep(25)
}

/** The recorded tunnels; an unreadable record names none (it is removed with the rest). */
function tunnelsOf(files: ForwardStateDir): ProcessIdentity[] {
  try {
    return files.readTunnels()
  } catch (error) {
    if (error instanceof StaleStateError) return []
    throw error
  }
}

/**
 * Kills kubectl tunnels still running from their records: each only if it is the very
 * process recorded (pid, start time, boot) and still in the process group it was started in.
 */
async function killTunnels(tunnels: readonly ProcessIdentity[]): Promise<void> {
  const prove = (tunnel: ProcessIdentity) =>
    proveProcess(tunnel, (facts) => tunnel.pgid !== undefined && facts.pgid === tunnel.pgid)
  await Promise.all(tunnels.map((tunnel) => terminate(() => prove(tunnel), false)))
}
