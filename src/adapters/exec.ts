import {spawn} from 'node:child_process'
import {basename} from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import {InterruptedError, TimeoutError, ToolFailedError, ToolNotFoundError} from '../core/errors.js'
import {shellQuote} from '../core/shell-quote.js'
import {maskSecrets, recognizeFailure, redactArgs} from '../core/tool-failures.js'
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
  /** Shown with ToolFailedError when its output matches no known failure. */
  hint?: string
  /** Values masked in a failure's output (and so in its log): the values of --set. */
  secrets?: readonly string[]
  /**
   * Long-running tools (a build, a followed log): each piece of output as it arrives. Their
   * stdout is then not kept in the result (a followed log never ends); stderr still is, for a
   * failure's message.
   */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void
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
 * Built on node:child_process rather than execa: importing execa alone took four times
 * as long as Node's own start here, on every command that runs a tool.
 */
export const exec: Exec = async (file, args, options = {}) => {
  installExitHook()
  const command = commandLine(file, args)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (options.signal?.aborted) throw new InterruptedError(`interrupted before \`${command}\``)

  const child = spawn(file, args, {
    detached: true,
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  const pid = child.pid
  if (pid !== undefined) liveGroups.add(pid)
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  const onOutput = options.onOutput
  const decoders = onOutput && {out: new StringDecoder('utf8'), err: new StringDecoder('utf8')}
  child.stdout?.on('data', (chunk: Buffer) => {
    if (onOutput && decoders) onOutput('stdout', decoders.out.write(chunk))
    else stdout.push(chunk)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk)
    if (onOutput && decoders) onOutput('stderr', decoders.err.write(chunk))
  })
  child.stdin?.on('error', () => {}) // A tool that exits without reading its input.
  child.stdin?.end(options.input)

  let stopReason: 'timeout' | 'abort' | undefined
  const stop = (reason: 'timeout' | 'abort') => {
    stopReason ??= reason
    if (pid !== undefined) killGroup(pid)
  }
  const timer = setTimeout(() => stop('timeout'), timeoutMs)
  const onAbort = () => stop('abort')
  options.signal?.addEventListener('abort', onAbort, {once: true})

  try {
    const outcome = await new Promise<{exitCode: number | null; spawnError?: string}>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        resolve({exitCode: null, spawnError: error.code ?? error.message}),
      )
      child.once('close', (exitCode) => resolve({exitCode}))
    })
    if (stopReason === 'timeout') throw new TimeoutError(command, timeoutMs)
    if (stopReason === 'abort') throw new InterruptedError(`interrupted \`${command}\``)
    if (outcome.spawnError === 'ENOENT' || outcome.spawnError === 'EACCES') {
      throw new ToolNotFoundError(file, installHint(file))
    }
    const out = withoutFinalNewline(Buffer.concat(stdout).toString('utf8'))
    const err = withoutFinalNewline(Buffer.concat(stderr).toString('utf8'))
    const exitCode = outcome.exitCode ?? undefined
    if (exitCode === 0 || (exitCode !== undefined && options.okExitCodes?.includes(exitCode))) {
      return {command, exitCode, stdout: out, stderr: err}
    }
    throw toolFailure(file, args, {exitCode, stdout: out, stderr: err}, options)
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    if (pid !== undefined) liveGroups.delete(pid)
  }
}

/** The inherited environment with `env` over it; `undefined` removes a variable. */
function childEnv(env: ExecOptions['env']): NodeJS.ProcessEnv | undefined {
  if (!env) return undefined
  const merged: NodeJS.ProcessEnv = {...process.env}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name]
    else merged[name] = value
  }
  return merged
}

function withoutFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text
}

/** The last few non-empty lines of a tool's output, as lines. */
export function tailLines(text: string, lines = STDERR_TAIL_LINES): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-lines)
}

/** The last few non-empty lines of a tool's stderr, joined for a one-line message. */
export function stderrTail(text: string, lines = STDERR_TAIL_LINES): string {
  return tailLines(text, lines).join(' | ')
}

/** A command line as people see it, with the values of --set-like flags redacted. */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...redactArgs(args)].map(shellQuote).join(' ')
}

/**
 * The ToolFailedError for a run that failed: its last lines (stderr, or stdout when stderr is
 * empty), the full output for the log, and what the words mean when they match a failure we
 * know. Adapters that accept some exit codes build theirs here too.
 */
export function toolFailure(
  file: string,
  args: readonly string[],
  result: {exitCode: number | undefined; stdout: string; stderr: string},
  options: Pick<ExecOptions, 'hint' | 'secrets'> = {},
): ToolFailedError {
  const secrets = options.secrets ?? []
  const stdout = maskSecrets(result.stdout, secrets)
  const stderr = maskSecrets(result.stderr, secrets)
  const known = recognizeFailure({
    tool: basename(file),
    args,
    exitCode: result.exitCode,
    output: `${stderr}\n${stdout}`,
  })
  return new ToolFailedError(
    commandLine(file, args),
    result.exitCode,
    tailLines(stderr || stdout),
    known ? undefined : options.hint,
    {output: {stdout, stderr}, known},
  )
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
