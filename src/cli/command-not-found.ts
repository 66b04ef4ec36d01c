import type {Hook} from '@oclif/core'
import {UsageError} from '../core/errors.js'

/** An unknown command is a usage error: one line, a hint, exit 2 (JSON under --json). */
const hook: Hook<'command_not_found'> = async function (options) {
  const error = new UsageError(
    `unknown command "${options.id}"`,
    `run \`${options.config.bin} --help\` for the list of commands`,
  )
  process.exitCode = error.exitCode
  if (options.argv?.includes('--json')) {
    process.stdout.write(`${JSON.stringify({error: error.toJSON()}, null, 2)}\n`)
  } else {
    process.stderr.write(`Error: ${error.message}\nHint: ${error.hint}\n`)
  }
}

export default hook
