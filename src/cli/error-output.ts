// How a failure reaches the user, shared by the oclif commands and the fast paths that run
// without oclif: one line and a hint (or a JSON error object), and its exit code.
import {writeFailureLog} from '../adapters/failure-log.js'
import {EXIT_CODES} from '../core/exit-codes.js'
import {GeniroError, ToolFailedError} from '../core/errors.js'

export interface ErrorOutput {
  json: boolean
  debug: boolean
  /** Prints the --json error object (oclif's logJson in commands). */
  writeJson: (body: unknown) => void
}

/** Reports `error` (a GeniroError, or a bug when `known` is undefined) and returns the exit code. */
export function reportError(
  error: Error,
  known: GeniroError | undefined,
  output: ErrorOutput,
): number {
  // The full output goes to a file first, so both forms can name it.
  if (known instanceof ToolFailedError) writeFailureLog(known)
  if (output.json) {
    output.writeJson({
      error: known
        ? known.toJSON()
        : {
            kind: 'bug',
            exitCode: EXIT_CODES.bug.code,
            message: error.message,
            ...(output.debug ? {stack: error.stack} : {}),
          },
    })
  } else if (known instanceof ToolFailedError && (known.output || known.known)) {
    process.stderr.write(formatToolFailure(known, output.debug))
  } else if (known) {
    process.stderr.write(`Error: ${known.message}\n${known.hint ? `Hint: ${known.hint}\n` : ''}`)
  } else {
    process.stderr.write(
      output.debug
        ? `Internal error: ${error.stack ?? error.message}\n`
        : `Internal error: ${error.message}\nThis is a bug in geniro-dev. Rerun with --debug for the stack trace and report it.\n`,
    )
  }
  return known ? known.exitCode : EXIT_CODES.bug.code
}

/**
 * A tool's failure as a person reads it: the cause (when recognised) or the command, the
 * tool's own last lines as lines (all of its output with --debug), where the full output is,
 * and the fix.
 */
export function formatToolFailure(error: ToolFailedError, debug = false): string {
  const status =
    error.commandExitCode === undefined
      ? 'was killed by a signal'
      : `exited with ${error.commandExitCode}`
  const ran = `\`${error.command}\` ${status}`
  const full = debug && error.output ? outputLines(error.output) : undefined
  const lines = full ?? error.outputLines
  const said = lines.length === 0 ? '' : full ? '; its output:' : '; its last lines:'
  return [
    `Error: ${error.known ? error.known.cause : `${ran}${said}`}`,
    ...(error.known ? [`  ${ran}${said}`] : []),
    ...lines.map((line) => `    ${line}`),
    ...(error.logFile ? [`  Full output: ${error.logFile}`] : []),
    ...(error.hint ? [`Hint: ${error.hint}`] : []),
    '',
  ].join('\n')
}

/** stderr then stdout, every line kept (empty ones dropped). */
function outputLines(output: {stdout: string; stderr: string}): string[] {
  return [output.stderr, output.stdout]
    .flatMap((text) => text.split('\n'))
    .map((line) => line.trimEnd())
    .filter(Boolean)
}

export function isDebug(argv: readonly string[]): boolean {
  return argv.includes('--debug') || Boolean(process.env.GENIRO_DEV_DEBUG)
}

export function writeJsonStdout(body: unknown): void {
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
}
