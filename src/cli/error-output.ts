// How a failure reaches the user, shared by the oclif commands and the fast paths that run
// without oclif: one line and a hint (or a JSON error object), and its exit code.
import {EXIT_CODES} from '../core/exit-codes.js'
import {GeniroError} from '../core/errors.js'

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

export function isDebug(argv: readonly string[]): boolean {
  return argv.includes('--debug') || Boolean(process.env.GENIRO_DEV_DEBUG)
}

export function writeJsonStdout(body: unknown): void {
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`)
}
