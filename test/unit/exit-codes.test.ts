import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {exitCodeRows, formatExitCodeSection} from '../../src/core/exit-codes.js'
import {
  ChecksFailedError,
  InterruptedError,
  TimeoutError,
  ToolFailedError,
  ToolNotFoundError,
  UsageError,
  UserError,
} from '../../src/core/errors.js'

describe('exit-code table', () => {
  it('has unique codes', () => {
    const codes = exitCodeRows().map((row) => row.code)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('is documented in README.md, row for row', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    for (const {code, meaning} of exitCodeRows()) {
      expect(readme).toContain(`| ${code} | ${meaning} |`)
    }
  })

  it('is printed by --help', () => {
    expect(formatExitCodeSection()).toContain('  70  Internal error in geniro-dev')
  })

  it('maps every error class to its row', () => {
    expect(new UserError('x').exitCode).toBe(3)
    expect(new UsageError('x').exitCode).toBe(2)
    expect(new ChecksFailedError('x').exitCode).toBe(1)
    expect(new ToolNotFoundError('helm', 'install helm').exitCode).toBe(4)
    expect(new ToolFailedError('helm lint', 1, 'boom').exitCode).toBe(5)
    expect(new TimeoutError('helm upgrade', 5000).exitCode).toBe(6)
    expect(new InterruptedError().exitCode).toBe(130)
  })

  it('gives errors a one-line message and a JSON form', () => {
    const error = new ToolFailedError(
      'kind get clusters',
      1,
      'ERROR: failed | permission denied',
      'is Docker running?',
    )
    expect(error.message).toBe(
      '`kind get clusters` exited with 1: ERROR: failed | permission denied',
    )
    expect(error.toJSON()).toEqual({
      kind: 'toolFailed',
      exitCode: 5,
      message: error.message,
      hint: 'is Docker running?',
      command: 'kind get clusters',
      commandExitCode: 1,
      stderrTail: 'ERROR: failed | permission denied',
    })
    expect(new ToolFailedError('sleep 9', undefined, '').message).toBe(
      '`sleep 9` was killed by a signal',
    )
    expect(new TimeoutError('x', 1500).message).toBe('`x` did not finish within 1500ms')
    // `reason`: the tool's own words where there are any, else the whole message.
    expect(error.reason).toBe('ERROR: failed | permission denied')
    expect(new ToolFailedError('sleep 9', undefined, '').reason).toBe(
      '`sleep 9` was killed by a signal',
    )
    expect(new UserError('bad input').reason).toBe('bad input')
  })
})
