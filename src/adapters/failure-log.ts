// The full output of a tool that failed, written to a file whose path the error names: the
// terminal shows only the tool's last lines. Secrets never get here: the error's output is
// masked where it is made (exec's `secrets`), its command line has --set values redacted, and
// geniro-dev's generated values files are never copied.
import {lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {basename, join} from 'node:path'
import type {ToolFailedError} from '../core/errors.js'
import {stateRoot} from './state-root.js'
import {privateTempDir} from './private-dir.js'

/** How many failure logs a directory keeps (the newest). */
const KEEP_LOGS = 20

/**
 * Writes the failure's full output under `<state dir>/logs` (else the private temp dir's
 * `logs`), sets `error.logFile` and returns the path; undefined when the error has no output
 * or no directory can be written. Never throws: a log is a courtesy, not the failure.
 */
export function writeFailureLog(
  error: ToolFailedError,
  now = new Date(),
  dirs = [join(stateRoot(), 'logs'), join(privateTempDir(), 'logs')],
): string | undefined {
  if (!error.output) return undefined
  if (error.logFile) return error.logFile
  for (const dir of dirs) {
    try {
      mkdirSync(dir, {recursive: true, mode: 0o700})
      if (!ownDirectory(dir)) continue
      const file = join(dir, `${stamp(now)}-${process.pid}-${slug(error.command)}.log`)
      writeFileSync(file, logText(error, now), {mode: 0o600, flag: 'wx'})
      prune(dir)
      error.logFile = file
      return file
    } catch {
      // Try the next directory.
    }
  }
  return undefined
}

function logText(error: ToolFailedError, now: Date): string {
  const {stdout = '', stderr = ''} = error.output ?? {}
  return [
    `geniro-dev: a tool failed at ${now.toISOString()}`,
    `command:   ${error.command}`,
    `exit code: ${error.commandExitCode ?? 'killed by a signal'}`,
    ...(error.known ? [`cause:     ${error.known.cause}`] : []),
    ...(error.hint ? [`fix:       ${error.hint}`] : []),
    '',
    '--- stderr ---',
    stderr,
    '--- stdout ---',
    stdout,
    '',
  ].join('\n')
}

/** "kind-create-cluster" from "kind create cluster --name x …". */
function slug(command: string): string {
  const [program = 'tool', ...words] = command.split(' ')
  const verbs: string[] = []
  for (const word of words.slice(0, 3)) {
    if (!/^[a-z][a-z-]*$/.test(word)) break
    verbs.push(word)
  }
  return [basename(program), ...verbs].join('-').replace(/[^\w-]/g, '_')
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('.', '-')
}

/** A directory of ours that nobody else can write (the temp dir is shared). */
function ownDirectory(dir: string): boolean {
  const stat = lstatSync(dir)
  const uid = process.getuid?.()
  return (
    stat.isDirectory() && (uid === undefined || (stat.uid === uid && (stat.mode & 0o022) === 0))
  )
}

function prune(dir: string): void {
  const logs = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
  for (const name of logs.slice(0, Math.max(0, logs.length - KEEP_LOGS))) {
    rmSync(join(dir, name), {force: true})
  }
}
