// The forward supervisor's life seen from the CLI: started detached (or run in the
// foreground), waited for until its forwards settle, and stopped, tunnels included, once its
// pid is proven ours.
import {writeFileSync} from 'node:fs'
import {setTimeout as sleep} from 'node:timers/promises'
import {GeniroError, InterruptedError, ToolFailedError} from '../core/errors.js'
import type {SupervisorState} from '../core/forward-plan.js'
import {readText} from '../adapters/state-files.js'
import {
  StaleStateError,
  type ForwardStateDir,
  type ProcessIdentity,
} from '../adapters/forward-state.js'
import type {ProcessFacts} from '../adapters/process-identity.js'
import {Supervisor, type SupervisorSpec} from './supervisor.js'
import {readForwardStatus, type ForwardStatusReport} from './status.js'
import type {ForwardContext, ForwardOptions} from '../services/forward.js'

export const LOCK_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 3_000

export async function startSupervisor(
  spec: SupervisorSpec,
  files: ForwardStateDir,
  options: ForwardOptions,
  ctx: ForwardContext,
): Promise<ForwardStatusReport> {
  files.ensure()
  writeFileSync(files.specFile, JSON.stringify(spec, null, 2), {mode: 0o600})
  const child = ctx.tools.supervisors.launch(files)
  const ready = await waitUntilSettled(
    () => (child.exitCode() === undefined ? files.readState() : undefined),
    () => child.exitCode() !== undefined,
    options.timeoutSeconds,
    ctx.signal,
  )
  if (ready.ok) return readForwardStatus(files)
  await stopLocked(files)
  // Not yet recorded (it never got as far as its pidfile): our own child, known by its handle.
  const exited = child.exitCode() !== undefined
  if (!exited) child.kill()
  // Ctrl-C while the tunnels start: stopped and cleaned up, an interruption, not a failure.
  if (ctx.signal.aborted) throw new InterruptedError('interrupted while the forwards started')
  throw forwardFailure(ready.state, exited ? lastStartFailure(files) : undefined)
}

export async function runInForeground(
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
export async function stopLocked(files: ForwardStateDir): Promise<StopResult> {
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
      await terminate(files, () => files.proveSupervisor(recorded), proof.detached === true)
      stopped = true
    } else stale = proof.reason
  }
  // Each tunnel only if it is the very process recorded, still in the group it started in.
  await Promise.all(
    tunnels.map((tunnel) => terminate(files, () => files.proveTunnel(tunnel), false)),
  )
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
  files: ForwardStateDir,
  prove: () => {ours: true; facts: ProcessFacts} | {ours: false},
  asGroup: boolean,
): Promise<void> {
  const {processes} = files
  const send = (signal: NodeJS.Signals): boolean => {
    const proof = prove()
    if (!proof.ours) return false
    return asGroup
      ? processes.signalGroup(proof.facts, signal)
      : processes.signal(proof.facts.pid, signal)
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
