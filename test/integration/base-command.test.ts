import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {BaseCommand} from '../../src/cli/base-command.js'
import {ToolNotFoundError, UserError} from '../../src/core/errors.js'
import {installHint} from '../../src/core/tools.js'
import {captureOutput} from '../support/capture-output.js'

const ROOT = new URL('../../', import.meta.url).pathname

/** Commands that end each way the exit-code table knows, run in-process through oclif. */
class Succeeds extends BaseCommand {
  async run() {
    await this.parse(Succeeds)
    this.log('human output')
    return {ok: true}
  }
}
class NeedsMissingTool extends BaseCommand {
  async run() {
    await this.parse(NeedsMissingTool)
    throw new ToolNotFoundError('kind', installHint('kind'))
  }
}
class BadInput extends BaseCommand {
  async run() {
    await this.parse(BadInput)
    throw new UserError('values file ./nope.yaml does not exist', 'pass an existing file to -f')
  }
}
class HasABug extends BaseCommand {
  async run() {
    await this.parse(HasABug)
    throw new TypeError("Cannot read properties of undefined (reading 'port')")
  }
}

let output: ReturnType<typeof captureOutput>

beforeEach(() => {
  process.exitCode = undefined
  output = captureOutput()
})

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

describe('exit codes through the base command', () => {
  it('success: 0, the result object alone on stdout under --json', async () => {
    await Succeeds.run(['--json'], ROOT)
    expect(process.exitCode ?? 0).toBe(0)
    expect(JSON.parse(output.stdout())).toEqual({ok: true})
    await Succeeds.run([], ROOT)
    expect(output.stdout()).toContain('human output')
  })

  it('user error: 3, one line and a hint; JSON error object under --json', async () => {
    await BadInput.run([], ROOT)
    expect(process.exitCode).toBe(3)
    expect(output.stderr()).toBe(
      'Error: values file ./nope.yaml does not exist\nHint: pass an existing file to -f\n',
    )
    expect(output.stdout()).toBe('')
    output.reset()
    process.exitCode = undefined
    await BadInput.run(['--json'], ROOT)
    expect(process.exitCode).toBe(3)
    expect(JSON.parse(output.stdout())).toEqual({
      error: {
        kind: 'userError',
        exitCode: 3,
        message: 'values file ./nope.yaml does not exist',
        hint: 'pass an existing file to -f',
      },
    })
    expect(output.stderr()).toBe('')
  })

  it('missing tool: 4, with the install hint, with and without --json', async () => {
    await NeedsMissingTool.run([], ROOT)
    expect(process.exitCode).toBe(4)
    expect(output.stderr()).toContain(
      'Error: kind is not installed or not on PATH\nHint: install kind',
    )
    process.exitCode = undefined
    await NeedsMissingTool.run(['--json'], ROOT)
    expect(process.exitCode).toBe(4)
    expect(JSON.parse(output.stdout()).error).toMatchObject({
      kind: 'toolMissing',
      exitCode: 4,
      tool: 'kind',
    })
  })

  it('bug: 70, no stack trace unless --debug', async () => {
    await HasABug.run([], ROOT)
    expect(process.exitCode).toBe(70)
    expect(output.stderr()).toContain(
      "Internal error: Cannot read properties of undefined (reading 'port')",
    )
    expect(output.stderr()).toContain('Rerun with --debug')
    expect(output.stderr()).not.toMatch(/\n\s+at /)
    output.reset()
    await HasABug.run(['--debug'], ROOT)
    expect(output.stderr()).toMatch(/\n\s+at /)
  })

  it('bug under --json: 70, an error object, the stack only with --debug', async () => {
    await HasABug.run(['--json'], ROOT)
    expect(process.exitCode).toBe(70)
    const body = JSON.parse(output.stdout()).error
    expect(body).toMatchObject({kind: 'bug', exitCode: 70})
    expect(body.stack).toBeUndefined()
    output.reset()
    await HasABug.run(['--json', '--debug'], ROOT)
    expect(JSON.parse(output.stdout()).error.stack).toContain('TypeError')
  })

  it('bad flag: 2, with and without --json', async () => {
    await Succeeds.run(['--nope'], ROOT)
    expect(process.exitCode).toBe(2)
    expect(output.stderr()).toBe(
      'Error: Nonexistent flag: --nope\nHint: see --help for the flags and arguments this command takes\n',
    )
    process.exitCode = undefined
    await Succeeds.run(['--nope', '--json'], ROOT)
    expect(process.exitCode).toBe(2)
    expect(JSON.parse(output.stdout()).error).toMatchObject({kind: 'usage', exitCode: 2})
  })
})
