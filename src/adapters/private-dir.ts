import {lstat, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {UserError} from '../core/errors.js'

/** geniro-dev's files for tools to read (kind config, --set values): one dir per user. */
export function privateTempDir(): string {
  return join(tmpdir(), `geniro-dev-${process.getuid?.() ?? 'user'}`)
}

/**
 * The dir sits in a shared temp dir under a predictable name: refuse it unless it is a real
 * directory (not a symlink) of ours that nobody else can write, or another local user could
 * swap a file (e.g. add host mounts to a kind config) between our write and the tool's read.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, {recursive: true, mode: 0o700})
  const stat = await lstat(dir)
  const uid = process.getuid?.()
  const foreign = uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)
  if (!stat.isDirectory() || foreign) {
    throw new UserError(
      `${dir} is not a private directory of the current user`,
      'remove it, or set TMPDIR to a directory only you can write',
    )
  }
}
