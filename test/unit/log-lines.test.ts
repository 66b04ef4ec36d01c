import {describe, expect, it} from 'vitest'
import {
  LineSplitter,
  ResumePoint,
  formatLogLine,
  logLineJson,
  logPrefix,
  mergeByTime,
  parseLogLine,
  type LogSource,
} from '../../src/core/log-lines.js'

const api: LogSource = {
  component: 'api',
  pod: 'geniro-api-1',
  container: 'api',
  showContainer: false,
}
const relay: LogSource = {...api, container: 'keycloak-relay', showContainer: true}

describe('log lines', () => {
  it('splits kubectl --timestamps lines into time and message', () => {
    expect(parseLogLine('2026-01-02T03:04:05.12Z hello world')).toMatchObject({
      time: '2026-01-02T03:04:05.12Z',
      message: 'hello world',
    })
    expect(parseLogLine('no time here')).toEqual({time: '', order: '', message: 'no time here'})
    expect(parseLogLine('2026-01-02T03:04:05Z ').message).toBe('')
  })

  it('orders times whatever their fraction’s width or zone', () => {
    const a = parseLogLine('2026-01-02T03:04:05.9Z a').order
    const b = parseLogLine('2026-01-02T03:04:05.123456789Z b').order
    const c = parseLogLine('2026-01-02T05:04:06+02:00 c').order
    expect(b < a).toBe(true)
    expect(a < c).toBe(true)
  })

  it('prefixes with component and pod, and a container other than the main one', () => {
    const line = parseLogLine('2026-01-02T03:04:05Z up')
    expect(logPrefix(api)).toBe('[api/geniro-api-1]')
    expect(formatLogLine(relay, line, false)).toBe('[api/geniro-api-1/keycloak-relay] up')
    expect(formatLogLine(api, line, true)).toBe('[api/geniro-api-1] 2026-01-02T03:04:05Z up')
    expect(logLineJson(relay, line)).toEqual({
      time: '2026-01-02T03:04:05Z',
      component: 'api',
      pod: 'geniro-api-1',
      container: 'keycloak-relay',
      message: 'up',
    })
  })

  it('merges containers by time, keeping each one’s order for equal times', () => {
    const entries = [
      {id: 'a1', line: parseLogLine('2026-01-02T03:04:07Z a1')},
      {id: 'a2', line: parseLogLine('2026-01-02T03:04:09Z a2')},
      {id: 'b1', line: parseLogLine('2026-01-02T03:04:08Z b1')},
      {id: 'b2', line: parseLogLine('2026-01-02T03:04:09Z b2')},
    ]
    expect(mergeByTime(entries).map((e) => e.id)).toEqual(['a1', 'b1', 'a2', 'b2'])
  })

  it('cuts chunks into whole lines', () => {
    const splitter = new LineSplitter()
    expect(splitter.push('one\ntw')).toEqual(['one'])
    expect(splitter.push('o\r\nthree')).toEqual(['two'])
    expect(splitter.end()).toEqual(['three'])
    expect(splitter.end()).toEqual([])
  })
})

describe('resuming a followed container', () => {
  const at = (s: number, text: string) =>
    parseLogLine(`2026-01-02T03:04:${String(s).padStart(2, '0')}Z ${text}`)

  it('drops what --since-time repeats, lines of the resume time included, and keeps the rest', () => {
    const point = new ResumePoint()
    expect(point.since).toBeUndefined()
    for (const line of [at(1, 'a'), at(2, 'b'), at(2, 'c')]) expect(point.fresh(line)).toBe(true)
    expect(point.since).toBe('2026-01-02T03:04:02Z')
    point.resume()
    // kubectl --since-time includes the lines at that time: two of them were printed.
    expect([at(2, 'b'), at(2, 'c'), at(2, 'd'), at(3, 'e')].map((l) => point.fresh(l))).toEqual([
      false,
      false,
      true,
      true,
    ])
    expect(point.fresh(at(1, 'old'))).toBe(false)
    expect(point.fresh(parseLogLine('no time'))).toBe(true)
  })

  it('a new instance after a restart starts later: all of it is new', () => {
    const point = new ResumePoint()
    point.fresh(at(5, 'first instance'))
    point.resume()
    expect(point.fresh(at(9, 'second instance'))).toBe(true)
  })
})
