import {describe, expect, it} from 'vitest'
import {opener, openUrl, parseOpenComponent} from '../../src/core/open-target.js'

describe('open', () => {
  it('opens localhost (the origin the realm and CORS allow) at the page worth opening', () => {
    expect(openUrl('web', 14173)).toBe('http://localhost:14173/')
    expect(openUrl('api', 15001)).toBe('http://localhost:15001/health/check')
    expect(parseOpenComponent('keycloak')).toBe('keycloak')
    expect(() => parseOpenComponent('redis')).toThrow(/cannot open "redis"/)
  })

  it('xdg-open only with a display, open on macOS', () => {
    expect(opener('linux', {DISPLAY: ':0'})).toEqual({file: 'xdg-open'})
    expect(opener('linux', {WAYLAND_DISPLAY: 'wayland-0'})).toEqual({file: 'xdg-open'})
    expect(opener('linux', {})).toEqual({none: expect.stringMatching(/no display/)})
    expect(opener('darwin', {})).toEqual({file: 'open'})
    expect(opener('win32', {})).toHaveProperty('none')
  })
})
