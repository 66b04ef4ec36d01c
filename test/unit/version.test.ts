import {describe, expect, it} from 'vitest'
import {compareVersions, parseVersion, versionAtLeast} from '../../src/core/version.js'

describe('parseVersion reads the version out of each tool’s own output', () => {
  it.each([
    ['v4.1.4', '4.1.4'],
    ['v3.17.2', '3.17.2'],
    ['kind v0.27.0 go1.24.4 linux/amd64', '0.27.0'],
    ['2.26.1-4', '2.26.1'],
    ['v1.34.5', '1.34.5'],
    ['Docker Compose version v2.29.7', '2.29.7'],
    ['1.34', '1.34.0'],
  ])('%s → %s', (text, expected) => {
    expect(parseVersion(text)?.raw).toBe(expected)
  })

  it('returns undefined when there is no version', () => {
    expect(parseVersion('command not found')).toBeUndefined()
  })

  it('compares numerically, not as text', () => {
    const a = parseVersion('3.9.0')!
    const b = parseVersion('3.14.0')!
    expect(compareVersions(a, b)).toBeLessThan(0)
    expect(versionAtLeast(b, '3.14.0')).toBe(true)
    expect(versionAtLeast(a, '3.14.0')).toBe(false)
  })
})
