import {EXIT_CODES, type ExitCodeName} from './exit-codes.js'
import type {KnownFailure} from './tool-failures.js'

/**
 * Every failure geniro-dev expects is a GeniroError: it carries its exit code and,
 * where the user can act, a one-line hint. Anything else that escapes is a bug.
 */
export abstract class GeniroError extends Error {
  abstract readonly exitCodeName: ExitCodeName
  readonly hint?: string

  constructor(message: string, hint?: string) {
    super(message)
    this.name = new.target.name
    this.hint = hint
  }

  get exitCode(): number {
    return EXIT_CODES[this.exitCodeName].code
  }

  /** The failure in its own words, for a one-line message that quotes it. */
  get reason(): string {
    return this.message
  }

  /** The machine-readable form printed under --json. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.exitCodeName,
      exitCode: this.exitCode,
      message: this.message,
      ...(this.hint ? {hint: this.hint} : {}),
    }
  }
}

/** Bad input the user can fix; nothing has been changed. */
export class UserError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'userError'
}

/** Flags or arguments that do not parse. */
export class UsageError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'usage'
}

/** The command ran and reported its findings, but they are not healthy. */
export class ChecksFailedError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'checksFailed'
}

export class ToolNotFoundError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'toolMissing'
  constructor(
    readonly tool: string,
    hint: string,
  ) {
    super(`${tool} is not installed or not on PATH`, hint)
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), tool: this.tool}
  }
}

/** What a failed tool printed, in full: for the log file, never shown whole without --debug. */
export interface ToolOutput {
  stdout: string
  stderr: string
}

/** The parts of a tool failure beyond its command, exit code and last lines. */
export interface ToolFailureDetails {
  output?: ToolOutput
  /** What the tool's words mean, when they match a failure geniro-dev knows. */
  known?: KnownFailure
}

/**
 * An external command exited non-zero. `outputLines` are the tool's own last lines, kept as
 * lines; the one-line `message` joins them with " | " for places that quote the failure in a
 * sentence. A recognised failure brings its cause and fix (the hint, unless one is given) and
 * may carry a better documented exit code.
 */
export class ToolFailedError extends GeniroError {
  readonly exitCodeName: ExitCodeName
  /** The last lines of its stderr (or stdout), joined with " | ". */
  readonly stderrTail: string
  readonly outputLines: readonly string[]
  readonly output?: ToolOutput
  readonly known?: KnownFailure
  /** Where the full output was written, once it has been (see adapters/failure-log.ts). */
  logFile?: string

  constructor(
    readonly command: string,
    readonly commandExitCode: number | undefined,
    tail: string | readonly string[],
    hint?: string,
    details: ToolFailureDetails = {},
  ) {
    const lines = typeof tail === 'string' ? (tail ? [tail] : []) : [...tail]
    const joined = lines.join(' | ')
    const status =
      commandExitCode === undefined ? 'was killed by a signal' : `exited with ${commandExitCode}`
    super(`\`${command}\` ${status}${joined ? `: ${joined}` : ''}`, hint ?? details.known?.fix)
    this.stderrTail = joined
    this.outputLines = lines
    this.output = details.output
    this.known = details.known
    this.exitCodeName = details.known?.exitCodeName ?? 'toolFailed'
  }

  /** The tool's own words (the tail of its stderr), without our command prefix. */
  override get reason(): string {
    return this.stderrTail || this.message
  }

  /** What a wrapping error passes on: the full output and what it means. */
  get details(): ToolFailureDetails {
    return {output: this.output, known: this.known}
  }

  /** The same failure, explained by what the caller knows beyond the tool's words. */
  explainedAs(known: KnownFailure): ToolFailedError {
    return new ToolFailedError(this.command, this.commandExitCode, this.outputLines, undefined, {
      output: this.output,
      known,
    })
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      command: this.command,
      commandExitCode: this.commandExitCode ?? null,
      stderrTail: this.stderrTail,
      ...(this.known
        ? {failure: this.known.id, cause: this.known.cause, fix: this.hint ?? this.known.fix}
        : {}),
      ...(this.output ? {outputTail: this.outputLines} : {}),
      ...(this.logFile ? {logFile: this.logFile} : {}),
    }
  }
}

export class TimeoutError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'timeout'
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    hint?: string,
  ) {
    super(`\`${command}\` did not finish within ${formatDuration(timeoutMs)}`, hint)
  }
}

/** The signals that stop a command; each exits 128 + its number, as shells report them. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP'
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

const SIGNAL_EXIT_CODE_NAMES: Record<StopSignal, ExitCodeName> = {
  SIGINT: 'interrupted',
  SIGTERM: 'terminated',
  SIGHUP: 'hangup',
}

export class InterruptedError extends GeniroError {
  readonly exitCodeName: ExitCodeName
  constructor(
    what = 'interrupted',
    readonly signal: StopSignal = 'SIGINT',
  ) {
    super(what)
    this.exitCodeName = SIGNAL_EXIT_CODE_NAMES[signal]
  }

  /** The same interruption, as caused by `signal`. */
  by(signal: StopSignal): InterruptedError {
    return new InterruptedError(this.message, signal)
  }
}

/** The signal an AbortController was aborted with (its reason), if it was one of ours. */
function stopSignalOf(reason: unknown): StopSignal | undefined {
  return reason === 'SIGINT' || reason === 'SIGTERM' || reason === 'SIGHUP' ? reason : undefined
}

/**
 * What a command reports for `error` once `abort` may have fired: after a stop signal, an
 * interruption (or anything that is not a GeniroError, which the abort caused) becomes the
 * interruption by that signal, so the exit code says which one; any other error stays.
 */
export function afterStopSignal(error: unknown, abort: AbortSignal): unknown {
  const signal = abort.aborted ? stopSignalOf(abort.reason) : undefined
  if (!signal) return error
  if (error instanceof InterruptedError) return error.by(signal)
  return error instanceof GeniroError ? error : new InterruptedError().by(signal)
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}
