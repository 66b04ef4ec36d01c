import {open, readFile, stat} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'
import {UserError} from '../core/errors.js'

/** The last `lines` lines of the supervisor log (all of it for 0). */
export async function readLogTail(file: string, lines: number): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    throw new UserError(
      `there is no forward log at ${file}`,
      'start the forwards with `geniro-dev forward`',
    )
  }
  if (lines === 0) return text
  const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  return all.length === 0 || text === '' ? '' : `${all.slice(-lines).join('\n')}\n`
}

/** Prints what is appended to the log until the signal aborts (as `tail -f`). */
export async function followLog(
  file: string,
  write: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let offset = (await stat(file)).size
  while (!signal.aborted) {
    await sleep(250)
    const size = (await stat(file).catch(() => undefined))?.size ?? 0
    if (size < offset) offset = 0 // Truncated or replaced.
    if (size === offset) continue
    const handle = await open(file, 'r')
    try {
      const buffer = Buffer.alloc(size - offset)
      await handle.read(buffer, 0, buffer.length, offset)
      write(buffer.toString('utf8'))
      offset = size
    } finally {
      await handle.close()
    }
  }
}
