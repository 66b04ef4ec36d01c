// Reading and writing state files safely: whole-file writes, regular files only, and errors
// that say what is wrong with the path.
import {lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {UserError} from '../core/errors.js'

export function makeWritableDir(dir: string): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    if (!lstatSync(dir).isDirectory()) throw Object.assign(new Error(), {code: 'ENOTDIR'})
    const probe = join(dir, `.write-test.${process.pid}`)
    writeFileSync(probe, '', {mode: 0o600})
    rmSync(probe, {force: true})
  } catch (error) {
    throw new UserError(
      `the state directory ${dir} is not usable (${describeFsError(error)})`,
      'set GENIRO_DEV_STATE_DIR to a writable directory, or fix that path (default: $XDG_STATE_HOME/geniro-dev, ~/.local/state/geniro-dev)',
    )
  }
}

export function readLockText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    // A directory or an unreadable file in the lock's place: a lock nobody holds.
    return `<${code}>`
  }
}

export function parseJson<T>(text: string, check: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return check(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Why a path that should be a regular file (when it exists) is not one, or undefined. */
export function notAFile(file: string): string | undefined {
  try {
    const stat = lstatSync(file)
    if (stat.isFile()) return undefined
    return stat.isDirectory() ? 'is a directory, not a file' : 'is not a regular file'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    return `cannot be read (${describeFsError(error)})`
  }
}

export function describeFsError(error: unknown): string {
  const {code, message} = error as NodeJS.ErrnoException
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only file system'
    case 'EISDIR':
      return 'it is a directory'
    case 'ENOSPC':
      return 'no space left on the device'
    default:
      return code ?? message
  }
}

/** A file's text, or '' when it cannot be read. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** A JSON file's value, or undefined when it is missing or unreadable. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Written whole and renamed into place: a reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, {mode: 0o600})
  renameSync(temp, file)
}
