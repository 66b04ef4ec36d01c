import {spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Ajv} from 'ajv'
import YAML from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

const SCRIPT = fileURLToPath(new URL('../../scripts/chart-docs.mjs', import.meta.url))
const FIXTURE = fileURLToPath(new URL('../fixtures/chart-docs', import.meta.url))

interface Node {
  $schema?: string
  description?: string
  type?: string | string[]
  enum?: unknown[]
  default?: unknown
  items?: Node
  properties?: Record<string, Node>
  additionalProperties?: boolean
}

const scratch: string[] = []
afterAll(() => scratch.forEach((dir) => rmSync(dir, {recursive: true, force: true})))

/** A private copy of the fixture chart, so every test can edit and regenerate it. */
function copyFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-docs-test-'))
  scratch.push(dir)
  cpSync(FIXTURE, dir, {recursive: true})
  return dir
}

function run(chart: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, '--chart', chart, ...args], {
    encoding: 'utf8',
  })
  return {code: result.status, stdout: result.stdout, stderr: result.stderr}
}

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8')

function edit(dir: string, file: string, from: string, to: string) {
  const text = read(dir, file)
  expect(text, `${file} contains ${from}`).toContain(from)
  writeFileSync(path.join(dir, file), text.replace(from, to))
}

/** The schema node at a dotted values path; `[]` steps into array items. */
function at(schema: Node, key: string): Node {
  let node = schema
  for (const segment of key.split('.')) {
    const next = segment === '[]' ? node.items : node.properties?.[segment]
    if (!next) throw new Error(`no schema node at ${key}`)
    node = next
  }
  return node
}

describe('chart-docs on the fixture chart', () => {
  let dir: string
  let readme: string
  let schemaText: string
  let schema: Node
  let values: Record<string, unknown>

  beforeAll(() => {
    dir = copyFixture()
    const result = run(dir)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    readme = read(dir, 'README.md')
    schemaText = read(dir, 'values.schema.json')
    schema = JSON.parse(schemaText) as Node
    values = YAML.parse(read(dir, 'values.yaml')) as Record<string, unknown>
  })

  it('regenerates the parameters tables and keeps the rest of the README', () => {
    expect(readme).toContain('### API parameters')
    expect(readme).toMatch(
      /^\| `api\.image\.pullPolicy` +\| API image pull policy .*\| `IfNotPresent` \|$/m,
    )
    expect(readme).toMatch(/^\| `api\.replicaCount` +\| Number of API pods +\| `2` +\|$/m)
    expect(readme).toMatch(/^\| `ingress\.hosts\[0\]\.host` +\|/m)
    expect(readme).not.toContain('old.param')
    expect(readme).toContain('Text after the last table is kept.')
    expect(readme).toContain('## Upgrading')
  })

  it('writes a self-contained draft-07 schema in stable JSON', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schemaText).not.toMatch(/"\$ref"\s*:\s*"https?:/)
    expect(schemaText).not.toContain('"nullable"')
    expect(schemaText.startsWith('{\n  "$schema": ')).toBe(true)
    expect(schemaText.endsWith('}\n')).toBe(true)
    expect(Object.keys(at(schema, 'api.image').properties ?? {})).toEqual([
      'pullPolicy',
      'repository',
      'tag',
    ])
  })

  it('is byte-identical on a second run', () => {
    const result = run(dir)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/README\.md is up to date\n.*values\.schema\.json is up to date/)
    expect(read(dir, 'values.schema.json')).toBe(schemaText)
    expect(read(dir, 'README.md')).toBe(readme)
  })

  it.each(['', 'api', 'api.image', 'api.service', 'ingress', 'ingress.hosts.[]'])(
    'closes annotated block "%s" with additionalProperties: false',
    (key) => expect((key ? at(schema, key) : schema).additionalProperties).toBe(false),
  )

  it.each([
    'api.podAnnotations',
    'api.nodeSelector',
    'api.resources',
    'api.extraEnv',
    'global', // Helm injects globals meant for subcharts
    'redis', // the subchart's own defaults are merged in
    'experimental', // @skip
  ])('leaves free-form %s open', (key) => {
    expect(at(schema, key).type).toBe('object')
    expect(at(schema, key).additionalProperties).toBeUndefined()
  })

  it('emits enums from "(one of: ...)"', () => {
    expect(at(schema, 'api.image.pullPolicy').enum).toEqual(['Always', 'IfNotPresent', 'Never'])
    expect(at(schema, 'api.service.type').enum).toEqual(['ClusterIP', 'LoadBalancer'])
  })

  it('types integers, numbers and null or empty defaults', () => {
    expect(at(schema, 'api.replicaCount')).toMatchObject({type: 'integer', default: 2})
    expect(at(schema, 'api.service.port').type).toBe('integer')
    expect(at(schema, 'api.cpuTarget').type).toBe('number')
    expect(at(schema, 'api.image.tag')).toMatchObject({type: ['string', 'null'], default: null})
    expect(at(schema, 'api.existingSecret').type).toEqual(['string', 'null'])
    expect(at(schema, 'api.args')).toMatchObject({type: 'array', items: {}})
    expect(at(schema, 'global.imageRegistry')).toMatchObject({type: 'string', default: ''})
    expect(at(schema, 'ingress.hosts.[].paths').items).toEqual({type: 'string'})
  })

  describe('validated with ajv', () => {
    const validate = () =>
      new Ajv({strict: true, allErrors: true, allowUnionTypes: true}).compile(schema)
    /** The fixture values with one value set (added when the key is new). */
    const withValue = (key: string, value: unknown) => {
      const copy = structuredClone(values)
      const parts = key.split('.')
      const last = parts.pop()!
      let node = copy as Record<string, unknown>
      for (const part of parts) node = node[part] as Record<string, unknown>
      node[last] = value
      return copy
    }

    it("accepts the chart's own values.yaml", () => {
      const check = validate()
      expect(check(values), JSON.stringify(check.errors)).toBe(true)
    })

    it.each([
      ['a misspelled key in a component block', 'api.image.pullPolcy', 'Always'],
      ['a misspelled component setting', 'api.replicas', 3],
      ['a misspelled top-level key', 'apii', {}],
      ['a string for an integer', 'api.replicaCount', '2'],
      ['a fraction for an integer', 'api.replicaCount', 1.5],
      ['a number for a string', 'api.image.repository', 1],
      ['a bad pull policy', 'api.image.pullPolicy', 'Sometimes'],
      ['NodePort, deliberately excluded', 'api.service.type', 'NodePort'],
      ['null where null is not allowed', 'api.service.port', null],
      ['an object where a list is expected', 'api.args', {}],
    ])('rejects %s', (_label, key, value) => {
      expect(validate()(withValue(key, value))).toBe(false)
    })

    it.each([
      ['any pod annotation', 'api.podAnnotations', {'prometheus.io/scrape': 'true'}],
      ['any resources', 'api.resources', {limits: {memory: '1Gi'}}],
      ['an image tag', 'api.image.tag', '1.2.3'],
      ['keys from the subchart defaults', 'redis', {enabled: true, architecture: 'standalone'}],
      ['global values for subcharts', 'global', {imageRegistry: '', storageClass: 'fast'}],
    ])('accepts %s', (_label, key, value) => {
      const check = validate()
      expect(check(withValue(key, value)), JSON.stringify(check.errors)).toBe(true)
    })
  })
})

describe('chart-docs --check', () => {
  it('passes right after generation and never writes', () => {
    const dir = copyFixture()
    expect(run(dir).code).toBe(0)
    const before = read(dir, 'values.schema.json')
    const result = run(dir, '--check')
    expect(result).toMatchObject({code: 0, stdout: '', stderr: ''})
    expect(read(dir, 'values.schema.json')).toBe(before)
  })

  it('fails with one line per stale file after values.yaml changes', () => {
    const dir = copyFixture()
    expect(run(dir).code).toBe(0)
    edit(dir, 'values.yaml', 'port: 8080', 'port: 9090')
    const schemaBefore = read(dir, 'values.schema.json')
    const result = run(dir, '--check')
    expect(result.code).toBe(1)
    const fix = `run node scripts/chart-docs.mjs --chart ${dir}`
    expect(result.stderr.trim().split('\n')).toEqual([
      `${path.join(dir, 'README.md')} is stale: ${fix}`,
      `${path.join(dir, 'values.schema.json')} is stale: ${fix}`,
    ])
    expect(read(dir, 'values.schema.json')).toBe(schemaBefore)
  })

  it('reports a missing schema', () => {
    const dir = copyFixture()
    expect(run(dir).code).toBe(0)
    rmSync(path.join(dir, 'values.schema.json'))
    const result = run(dir, '--check')
    expect(result.code).toBe(1)
    const schema = path.join(dir, 'values.schema.json')
    expect(result.stderr).toBe(
      `${schema} is missing: run node scripts/chart-docs.mjs --chart ${dir}\n`,
    )
    expect(existsSync(schema)).toBe(false)
  })
})

describe('chart-docs annotation errors', () => {
  it.each([
    [
      'a value without @param',
      'api:\n',
      'api:\n  newKey: 1\n',
      'api.newKey has no @param annotation',
    ],
    [
      'a @param for a key that does not exist',
      '## @param api.enabled Deploy the API\n',
      '## @param api.enabled Deploy the API\n## @param api.gone Gone\n',
      '@param api.gone names a key that is not in the file',
    ],
    [
      'a default outside its enum',
      'pullPolicy: IfNotPresent',
      'pullPolicy: Sometimes',
      'api.image.pullPolicy defaults to "Sometimes", not one of its enum',
    ],
    [
      'a null default with no type',
      'api.existingSecret [string, nullable]',
      'api.existingSecret [nullable]',
      'api.existingSecret defaults to null: say its type',
    ],
    [
      'a null default that is not nullable',
      'api.image.tag [string, nullable]',
      'api.image.tag [string]',
      '/api/image/tag must be string',
    ],
  ])('exits 2 on %s, naming the key', (_label, from, to, message) => {
    const dir = copyFixture()
    edit(dir, 'values.yaml', from, to)
    for (const args of [[], ['--check']]) {
      const result = run(dir, ...args)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`${path.join(dir, 'values.yaml')}: ${message}`)
    }
    expect(existsSync(path.join(dir, 'values.schema.json'))).toBe(false)
    expect(read(dir, 'README.md')).toContain('old.param')
  })
})
