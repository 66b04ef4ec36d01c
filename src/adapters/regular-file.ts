import {constants} from 'node:fs'
import {open} from 'node:fs/promises'
import {UserError} from '../core/errors.js'

/** What a user-named file turned out to be when it could not be read. */
export type FileRead =
  {ok: true; text: string} | {ok: false; problem: 'missing' | 'unreadable'; code?: string}

const MiB = 2 ** 20

/**
 * Reads a file a user named (a values file, a Compose file, an `.env`) only when it is a
 * regular file of a sane size: a FIFO or a device would block the read forever, and a
 * directory is not "missing". Those, and a file over `maxBytes`, are refused with one line
 * naming `what` and the path; a missing or unreadable file is left to the caller's words.
 * The checks and the read use one open descriptor, so nothing can be swapped in between.
 */
export async function readRegularFile(
  file: string,
  what: string,
  maxBytes = 16 * MiB,
): Promise<FileRead> {
  let handle
  try {
    // O_NONBLOCK: opening a FIFO that has no writer must not wait for one.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const missing = code === 'ENOENT' || code === 'ENOTDIR'
    return {ok: false, problem: missing ? 'missing' : 'unreadable', code}
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw notRegular(what, file)
    if (info.size > maxBytes) {
      throw new UserError(
        `${what} ${file} is larger than ${maxBytes / MiB} MiB`,
        `give the path of a ${what}, not of a data dump`,
      )
    }
    return {ok: true, text: await handle.readFile('utf8')}
  } finally {
    await handle.close()
  }
}

function notRegular(what: string, file: string): UserError {
  return new UserError(
    `${what} ${file} is not a regular file (a directory, FIFO or device)`,
    `give the path of a ${what}`,
  )
}
