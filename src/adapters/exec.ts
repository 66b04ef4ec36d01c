import {InterruptedError, TimeoutError, ToolFailedError, ToolNotFoundError} from '../core/errors.js'
import {shellQuote} from '../core/shell-quote.js'
import {installHint} from '../core/tools.js'

export interface ExecOptions {
  /** Kill the child's whole process group after this long. Default 60 s. */
  timeoutMs?: number
  /** Aborting kills the child's process group and rejects with InterruptedError. */
  signal?: AbortSignal
  /** Added to (and overriding) the inherited environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  cwd?: string
  input?: string
  /** Exit codes that are answers rather than failures (e.g. `docker info` when stopped). */
  okExitCodes?: readonly number[]
  /** Shown with ToolFailedError. */
  hint?: string
}

export interface ExecResult {
  command: string
  exitCode: number
  stdout: string
  stderr: string
}

/** The seam every child process goes through; tests and services pass it around. */
export type Exec = (
  file: string,
  args: readonly string[],
  options?: ExecOptions,
) => Promise<ExecResult>

export const DEFAULT_TIMEOUT_MS = 60_000
const KILL_GRACE_MS = 2_000
const STDERR_TAIL_LINES = 8

/** Process groups of children still running, so an exiting CLI leaves none behind. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

/**
 * Runs `file args` in its own process group. A timeout or an abort signals the whole
 * group (TERM, then KILL after a grace period), so grandchildren such as the
 * `docker-compose` plugin under `docker` go too. Failures become typed errors.
 */
export const exec: Exec = async (file, args, options = {}) => {
  const {execa} = await import('execa')
  installExitHook()
  const command = [file, ...args].map(shellQuote).join(' ')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (options.signal?.aborted) throw new InterruptedError(`interrupted before \`${command}\``)

  const child = execa(file, args, {
    reject: false,
    detached: true,
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    stripFinalNewline: true,
  })
  const pid = child.pid
  if (pid !== undefined) liveGroups.add(pid)

  let stopReason: 'timeout' | 'abort' | undefined
  const stop = (reason: 'timeout' | 'abort') => {
    stopReason ??= reason
    if (pid !== undefined) killGroup(pid)
  }
  const timer = setTimeout(() => stop('timeout'), timeoutMs)
  const onAbort = () => stop('abort')
  options.signal?.addEventListener('abort', onAbort, {once: true})

  try {
    const result = await child
    if (stopReason === 'timeout') throw new TimeoutError(command, timeoutMs)
    if (stopReason === 'abort') throw new InterruptedError(`interrupted \`${command}\``)
    if (result.code === 'ENOENT' || result.code === 'EACCES') {
      throw new ToolNotFoundError(file, installHint(file))
    }
    const stdout = String(result.stdout ?? '')
    const stderr = String(result.stderr ?? '')
    const exitCode = result.exitCode
    if (exitCode === 0 || (exitCode !== undefined && options.okExitCodes?.includes(exitCode))) {
      return {command, exitCode, stdout, stderr}
    }
    throw new ToolFailedError(command, exitCode, stderrTail(stderr || stdout), options.hint)
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    if (pid !== undefined) liveGroups.delete(pid)
  }
}

/** The last few non-empty lines of a tool's stderr, joined for a one-line message. */
export function stderrTail(text: string, lines = STDERR_TAIL_LINES): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ')
}

function killGroup(pid: number): void {
  signalGroup(pid, 'SIGTERM')
  setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref()
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // The group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const pid of liveGroups) signalGroup(pid, 'SIGKILL')
  })
}
