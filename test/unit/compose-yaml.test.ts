/**
 * Compose YAML read as Compose reads it (the differential corpus in
 * test/integration/compose-config checks the same against the real binary), with the bounds
 * a file from anywhere needs: duplicate keys found in one pass, aliases expanded up to a bound.
 */
import {describe, expect, it} from 'vitest'
import {goFloat, parseComposeYaml, resolvePlain} from '../../src/core/compose-yaml.js'
import {UserError} from '../../src/core/errors.js'

function refusal(text: string): UserError {
  try {
    parseComposeYaml('/p/compose.yaml', text)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).not.toContain('\n')
    return error as UserError
  }
  throw new Error('accepted')
}

describe('duplicate keys', () => {
  it('are found in linear time: 40,000 keys in one map', () => {
    const keys = Array.from({length: 40_000}, (_, index) => `      K${index}: v${index}\n`)
    const text = `services:\n  db:\n    image: x\n    environment:\n${keys.join('')}`
    const started = performance.now()
    parseComposeYaml('/p/compose.yaml', text)
    const elapsed = performance.now() - started
    const error = refusal(`${text}      K0: again\n`)
    expect(error.message).toBe(
      '/p/compose.yaml line 40005: mapping key "K0" already defined at line 5',
    )
    // The yaml package's own check took 9 s here (22 s on the issue's machine).
    expect(elapsed).toBeLessThan(3_000)
  })

  it('compare keys as written, quoted or not, as go-yaml does', () => {
    expect(refusal('a: 1\n"a": 2\n').message).toBe(
      '/p/compose.yaml line 2: mapping key "a" already defined at line 1',
    )
    expect(refusal('x: &x {a: 1}\ny:\n  <<: *x\n  <<: *x\n').message).toMatch(
      /line 4: mapping key "<<" already defined at line 3/,
    )
  })
})

describe('aliases', () => {
  it('refuses an alias bomb with one line naming the file, quickly', () => {
    let text = 'x-a: &a [x, x, x, x, x, x, x, x, x, x]\n'
    for (let level = 0; level < 9; level++) {
      const previous = level === 0 ? 'a' : `b${level - 1}`
      text += `x-b${level}: &b${level} [${Array(10).fill(`*${previous}`).join(', ')}]\n`
    }
    const started = performance.now()
    const error = refusal(text)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(error.message).toMatch(
      /^\/p\/compose\.yaml line \d+: its aliases expand to more than 1000000 values$/,
    )
    expect(error.hint).toMatch(/resource-exhaustion/)
  })

  it('refuses an anchor that contains itself and an unknown anchor', () => {
    expect(refusal('a: &a [1, *a]\n').message).toMatch(/line 1: an anchor contains an alias/)
    expect(refusal('a: *nowhere\n').message).toMatch(/line 1/)
  })

  it('resolves the latest anchor of a name, not one met inside an alias', () => {
    const [document] = parseComposeYaml('/p/c.yaml', 'a: &x {b: &y 1}\nc: &y 2\nd: *x\ne: *y\n')
    expect(document?.content).toEqual({a: {b: 1}, c: 2, d: {b: 1}, e: 2})
  })

  it('merges as Compose: own keys first, then the first merged map', () => {
    const [document] = parseComposeYaml(
      '/p/c.yaml',
      'x: &x {k: x, only-x: 1}\ny: &y {k: y, only-y: 1}\nz:\n  <<: [*x, *y]\n  own: 1\n',
    )
    expect(document?.content).toMatchObject({z: {k: 'x', 'only-x': 1, 'only-y': 1, own: 1}})
  })
})

describe('!reset and !override', () => {
  it('drops a !reset value and records where both tags stood', () => {
    const [document] = parseComposeYaml(
      '/p/c.yaml',
      'services:\n  db:\n    ports: !override ["5439:5432"]\n    volumes: !reset []\n    environment:\n      A: !reset\n      B: "1"\n',
    )
    expect(document?.content).toEqual({
      services: {db: {ports: ['5439:5432'], environment: {B: '1'}}},
    })
    expect(document?.resets).toEqual([
      'services.db.ports',
      'services.db.volumes',
      'services.db.environment.A',
    ])
  })

  it('follows aliases, and looks at no tag below !override', () => {
    const [document] = parseComposeYaml(
      '/p/c.yaml',
      'x: &gone !reset []\nservices:\n  db:\n    ports: *gone\n    labels: !override {a: !reset b}\n',
    )
    expect(document?.content).toEqual({services: {db: {labels: {a: 'b'}}}})
    expect(document?.resets).toEqual(['x', 'services.db.ports', 'services.db.labels'])
  })

  it('keeps each document of a file apart', () => {
    const documents = parseComposeYaml('/p/c.yaml', 'a: 1\n---\nb: !reset 2\n')
    expect(documents.map((document) => document.resets)).toEqual([[], ['b']])
  })
})

describe('scalars as go-yaml v3 resolves them', () => {
  it.each([
    ['0755', 493],
    ['0o755', 493],
    ['0x1F', 31],
    ['1_000', 1000],
    ['+12', 12],
    ['-0b11', -3],
    ['12345678901234567890', 12345678901234567890n],
    ['1.0', '1'],
    ['1.5e3', '1500'],
    ['1234567.0', '1.234567e+06'],
    ['0.00001', '1e-05'],
    ['08', '8'],
    ['true', true],
    ['TRUE', true],
    ['yes', 'yes'],
    ['on', 'on'],
    ['~', null],
    ['2024-02-29', '2024-02-29 00:00:00 +0000 UTC'],
    ['2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.1 -0500 -0500'],
    ['2001-12-14 1:2:3', '2001-12-14 01:02:03 +0000 UTC'],
    ['2023-02-29', '2023-02-29'],
    ['_1', '_1'],
    ['0x', '0x'],
  ])('%s', (text, value) => {
    expect(resolvePlain(text).value).toEqual(value)
  })

  it('prints floats as Go prints them', () => {
    expect([0.0001, 123456, 1e21, -1.5e-7, 1.2345678901234568e22].map(goFloat)).toEqual([
      '0.0001',
      '123456',
      '1e+21',
      '-1.5e-07',
      '1.2345678901234568e+22',
    ])
  })

  it('refuses keys that are not strings and floats JSON cannot hold', () => {
    expect(refusal('services:\n  db:\n    environment:\n      1: x\n').message).toBe(
      '/p/compose.yaml: non-string key in services.db.environment: 1',
    )
    expect(refusal('x: .inf\n').message).toMatch(/line 1: json: unsupported value/)
  })

  it('keeps quoted and !!str values as written', () => {
    const [document] = parseComposeYaml('/p/c.yaml', 'a: "0755"\nb: !!str 0755\nc: !!int "7"\n')
    expect(document?.content).toEqual({a: '0755', b: '0755', c: 7})
  })
})
