import {open, readFile, stat} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'
import type {ForwardStateDir} from '../adapters/forward-state.js'
import {UserError} from '../core/errors.js'

/** The last `lines` lines of the supervisor log (all of it for 0). */
export async function readLogTail(files: ForwardStateDir, lines: number): Promise<string> {
  const file = files.logFile
  files.checkLog()
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') throw files.staleFile(file, `cannot be read (${code})`)
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
  files: ForwardStateDir,
  write: (chunk: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const file = files.logFile
  let offset = (await stat(file).catch(() => undefined))?.size ?? 0
  while (!signal.aborted) {
    await sleep(250)
    const now = await stat(file).catch(() => undefined)
    if (now && !now.isFile()) throw files.staleFile(file, 'is not a regular file')
    const size = now?.size ?? 0
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
