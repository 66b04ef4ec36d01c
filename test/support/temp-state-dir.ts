import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, vi} from 'vitest'

/** Each test of the file gets its own GENIRO_DEV_STATE_DIR, removed afterwards. */
export function useTempStateDir(): {readonly path: string} {
  const state = {path: ''}
  beforeEach(() => {
    state.path = mkdtempSync(join(tmpdir(), 'gdev-services-'))
    vi.stubEnv('GENIRO_DEV_STATE_DIR', state.path)
  })
  afterEach(() => {
    vi.unstubAllEnvs()
    rmSync(state.path, {recursive: true, force: true})
  })
  return state
}
