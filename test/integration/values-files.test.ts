/**
 * Values files are read only when they are regular files of a sane size: a FIFO or a device
 * given as -f would block the read forever, a directory is not "missing". Real files, a real
 * FIFO (mkfifo) and /dev/zero.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {readValuesFile} from '../../src/adapters/values-files.js'
import {UserError} from '../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'gdev-values-files-'))

async function refusal(path: string): Promise<UserError> {
  const started = Date.now()
  const error = await readValuesFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(Date.now() - started).toBeLessThan(2_000)
  expect(error).toBeInstanceOf(UserError)
  return error as UserError
}

describe('values files given with -f', () => {
  it('refuses a FIFO at once instead of blocking on it', async () => {
    const fifo = join(dir, 'values.fifo')
    execFileSync('mkfifo', [fifo])
    expect((await refusal(fifo)).message).toBe(
      `values file ${fifo} is not a regular file (a directory, FIFO or device)`,
    )
  })

  it('refuses a directory and a device as not being files', async () => {
    expect((await refusal(dir)).message).toContain('is not a regular file')
    expect((await refusal('/dev/zero')).message).toContain('is not a regular file')
  })

  it('refuses a file larger than 16 MiB before reading it', async () => {
    const big = join(dir, 'big.yaml')
    writeFileSync(big, '')
    truncateSync(big, 16 * 2 ** 20 + 1)
    expect((await refusal(big)).message).toBe(`values file ${big} is larger than 16 MiB`)
  })

  it('reads a regular file, and says a missing one does not exist', async () => {
    const file = join(dir, 'ok.yaml')
    writeFileSync(file, 'api:\n  replicaCount: 2\n')
    expect(await readValuesFile(file)).toEqual({api: {replicaCount: 2}})
    expect((await refusal(join(dir, 'missing.yaml'))).message).toContain('does not exist')
  })
})
