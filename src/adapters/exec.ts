import {basename} from 'node:path'
import {StringDecoder} from 'node:string_decoder'
import type {Options as ExecaOptions, Result as ExecaResult, VerboseObject} from 'execa'
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

export interface ExecSettings {
  /** --debug: each tool's command line (secrets redacted) and how it ended, on stderr. */
  debug?: boolean
}

export const DEFAULT_TIMEOUT_MS = 60_000
const KILL_GRACE_MS = 2_000
const STDERR_TAIL_LINES = 8

/** Process groups of children still running, so an exiting CLI leaves none behind. */
const liveGroups = new Set<number>()
let exitHookInstalled = false

/** execa, imported on the first tool run: commands that run none never load it. */
let execaModule: Promise<typeof import('execa')> | undefined

/**
 * An Exec on execa. Each child runs in its own process group; a timeout or an abort cancels
 * it through execa's cancelSignal (TERM, then KILL after forceKillAfterDelay) and signals the
 * whole group too, so grandchildren such as the `docker-compose` plugin under `docker` go
 * with it: execa signals only the child itself. Failures become the project's typed errors.
 */
export function createExec(settings: ExecSettings = {}): Exec {
  return async (file, args, options = {}) => {
    installExitHook()
    const command = commandLine(file, args)
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (options.signal?.aborted) throw new InterruptedError(`interrupted before \`${command}\``)
    const {execa} = await (execaModule ??= import('execa'))

    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), timeoutMs)
    const cancelSignal = options.signal
      ? AbortSignal.any([options.signal, timeout.signal])
      : timeout.signal
    const onOutput = options.onOutput
    const child = execa(file, args, {
      detached: true,
      cwd: options.cwd,
      ...childEnv(options.env),
      ...(options.input === undefined ? {stdin: 'ignore'} : {input: options.input}),
      cancelSignal,
      forceKillAfterDelay: KILL_GRACE_MS,
      reject: false,
      // A followed log never ends: its stdout goes to onOutput only.
      buffer: {stdout: !onOutput, stderr: true},
      verbose: settings.debug ? debugLines(command) : 'none',
    } satisfies ExecaOptions)
    const pid = child.pid
    if (pid !== undefined) liveGroups.add(pid)
    const killTheGroup = () => {
      if (pid !== undefined) killGroup(pid)
    }
    cancelSignal.addEventListener('abort', killTheGroup, {once: true})
    if (onOutput) {
      const out = new StringDecoder('utf8')
      const err = new StringDecoder('utf8')
      child.stdout?.on('data', (chunk: Buffer) => onOutput('stdout', out.write(chunk)))
      child.stderr?.on('data', (chunk: Buffer) => onOutput('stderr', err.write(chunk)))
    }

    try {
      const result = await child
      if (result.isCanceled) {
        if (timeout.signal.aborted) throw new TimeoutError(command, timeoutMs)
        throw new InterruptedError(`interrupted \`${command}\``)
      }
      const spawnError = (result as {code?: string}).code
      if (spawnError === 'ENOENT' || spawnError === 'EACCES') {
        throw new ToolNotFoundError(file, installHint(file))
      }
      const outcome = outputOf(result)
      const exitCode = result.exitCode
      if (exitCode === 0 || (exitCode !== undefined && options.okExitCodes?.includes(exitCode))) {
        return {command, exitCode, ...outcome}
      }
      throw toolFailure(file, args, {exitCode, ...outcome}, options)
    } finally {
      clearTimeout(timer)
      cancelSignal.removeEventListener('abort', killTheGroup)
      if (pid !== undefined) liveGroups.delete(pid)
    }
  }
}

/** The Exec of commands run without --debug. */
export const exec: Exec = createExec()

/**
 * The inherited environment with `env` over it; `undefined` removes a variable, which needs
 * the whole environment given with extendEnv off.
 */
function childEnv(env: ExecOptions['env']): Pick<ExecaOptions, 'env' | 'extendEnv'> {
  if (!env) return {}
  const merged: NodeJS.ProcessEnv = {...process.env}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name]
    else merged[name] = value
  }
  return {env: merged, extendEnv: false}
}

/** Text output as strings (execa strips the final newline), empty when not kept. */
function outputOf(result: ExecaResult): {stdout: string; stderr: string} {
  const text = (output: unknown) => (typeof output === 'string' ? output : '')
  return {stdout: text(result.stdout), stderr: text(result.stderr)}
}

/**
 * execa's verbose lines for --debug, with our command line (its --set values redacted) in
 * place of execa's; the tool's output and execa's error line are left out, as they may hold
 * what --set passed, and a failure is reported once by the command anyway.
 */
function debugLines(command: string): (line: string, event: VerboseObject) => string | undefined {
  return (_line, event) => {
    if (event.type === 'command') return `[debug] $ ${command}`
    const result = event.type === 'duration' ? event.result : undefined
    if (result)
      return `[debug]   ${howItEnded(result)} after ${Math.round(result.durationMs)} ms: ${command}`
    return undefined
  }
}

function howItEnded(result: ExecaResult): string {
  if (result.isCanceled) return 'stopped'
  if (result.exitCode !== undefined) return `exit ${result.exitCode}`
  return result.signal ? `killed by ${result.signal}` : 'did not start'
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
