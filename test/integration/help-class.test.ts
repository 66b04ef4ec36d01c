import {Config} from '@oclif/core'
import {afterEach, describe, expect, it, vi} from 'vitest'
import Help from '../../src/cli/help.js'
import {captureOutput} from '../support/capture-output.js'
import {runCli} from '../support/run-cli.js'

const ROOT = new URL('../../', import.meta.url).pathname

afterEach(() => vi.restoreAllMocks())

describe('root help', () => {
  it('is the same through oclif’s Help class as through the fast path in bin/run.js', async () => {
    const config = await Config.load(ROOT)
    const output = captureOutput()
    await new Help(config).showHelp([])
    const viaOclif = output.stdout()
    vi.restoreAllMocks()
    const fast = await runCli(['--help'])
    expect(viaOclif.trimEnd()).toBe(fast.stdout.trimEnd())
  })
})
