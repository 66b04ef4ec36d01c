/**
 * The JSON schemas of schemas/: each one valid (Ajv's strict mode), every `$ref` between them
 * resolving, every command with --json described by one, and strict enough to refuse what a
 * command never prints. The e2e tests check the commands' real output against them.
 */
import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import {describe, expect, it} from 'vitest'
import {commandSchema, schema, schemaFiles} from '../support/schemas.js'

type Node = Record<string, unknown>

const read = (file: string): Node =>
  JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as Node

/** Every subschema of a schema, with its JSON pointer. */
function* subschemas(node: unknown, pointer = ''): Generator<[string, Node]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* subschemas(item, `${pointer}/${i}`)
    return
  }
  if (typeof node !== 'object' || node === null) return
  yield [pointer, node as Node]
  for (const [key, value] of Object.entries(node)) yield* subschemas(value, `${pointer}/${key}`)
}

/** The commands of the CLI surface that take --json, as `forward status`. */
function jsonCommands(): string[] {
  const surface = readFileSync(new URL('../fixtures/cli-surface.txt', import.meta.url), 'utf8')
  const commands: string[] = []
  let command = ''
  for (const line of surface.split('\n')) {
    if (line && !line.startsWith(' ')) command = line.replace(/ [[<(].*$/, '')
    else if (line.trim().startsWith('--json ')) commands.push(command)
  }
  return commands
}

describe('the schemas of --json', () => {
  it('compile in strict mode, all together, and every $ref resolves', () => {
    const ajv = new Ajv({allErrors: true, strict: true, strictRequired: false})
    for (const file of schemaFiles) ajv.addSchema(read(file))
    for (const file of schemaFiles) {
      expect(() => ajv.getSchema(`geniro-dev/${file}`), file).not.toThrow()
      for (const [pointer, node] of subschemas(read(file))) {
        const ref = node.$ref
        if (typeof ref !== 'string') continue
        const target = ref.startsWith('#') ? `geniro-dev/${file}${ref}` : `geniro-dev/${ref}`
        expect(ajv.getSchema(target), `${file}${pointer}: ${ref}`).toBeTypeOf('function')
      }
    }
  })

  it('are named and identified alike, and close every object they describe', () => {
    for (const file of schemaFiles) {
      const root = read(file)
      expect(root.$schema, file).toBe('http://json-schema.org/draft-07/schema#')
      expect(root.$id, file).toBe(`geniro-dev/${file}`)
      expect(root.title, file).toMatch(/^geniro-dev [a-z ]+--json/)
      for (const [pointer, node] of subschemas(root)) {
        // A condition (if) names properties without describing the object.
        if (!('properties' in node) || /\/if$/.test(pointer)) continue
        expect(node.additionalProperties, `${file}${pointer}`).toBe(false)
      }
    }
  })

  it('describe every command that takes --json', () => {
    const commands = jsonCommands()
    expect(commands).toContain('forward status')
    for (const command of commands) {
      const file = commandSchema([...command.split(' '), '--json'])
      expect(file, command).toBeDefined()
      expect(schemaFiles, command).toContain(file)
    }
  })
})

describe('the schemas refuse what the commands never print', () => {
  const forwardStatus = {
    supervisor: {pid: 48213, running: true},
    forwards: [
      {
        name: 'api',
        localPort: 15000,
        remotePort: 5000,
        target: 'svc/geniro-api',
        state: 'ready',
        restarts: 0,
        tunnelPort: 41235,
      },
    ],
  }
  const valid = (file: string, value: unknown) => schema(file)(value)

  it('forward status: the README example passes; an unknown field, state or port does not', () => {
    expect(valid('forward-status.schema.json', forwardStatus)).toBe(true)
    expect(
      valid('forward-status.schema.json', {supervisor: {pid: null, running: false}, forwards: []}),
    ).toBe(true)
    expect(valid('forward-status.schema.json', {...forwardStatus, surprise: 1})).toBe(false)
    const [api] = forwardStatus.forwards
    for (const forward of [
      {...api, state: 'up'},
      {...api, localPort: 0},
      {...api, restarts: 1.5},
      {...api, pid: 1},
    ]) {
      expect(valid('forward-status.schema.json', {...forwardStatus, forwards: [forward]})).toBe(
        false,
      )
    }
    expect(
      valid('forward-status.schema.json', {...forwardStatus, supervisor: {pid: 0, running: true}}),
    ).toBe(false)
  })

  it('forward and up --json: the forward status shape, referenced, not loosened', () => {
    const result = {
      ...forwardStatus,
      kubeContext: 'kind-geniro-dev',
      namespace: 'geniro',
      release: 'geniro',
      alreadyRunning: false,
      moved: [{name: 'redis', from: 16379, to: 16380}],
      logFile: '/state/supervisor.log',
    }
    expect(valid('forward-result.schema.json', result)).toBe(true)
    const withoutLog = Object.fromEntries(Object.entries(result).filter(([k]) => k !== 'logFile'))
    expect(valid('forward-result.schema.json', withoutLog)).toBe(false)
    const broken = {...result, forwards: [{...forwardStatus.forwards[0], state: 'broken'}]}
    expect(valid('forward-result.schema.json', broken)).toBe(false)
    const up = schema('up-result.schema.json')
    expect(up.schema).toMatchObject({
      properties: {forwards: {$ref: 'forward-result.schema.json'}},
    })
    expect(schema('status.schema.json').schema).toMatchObject({
      properties: {localImages: {items: {$ref: 'image-list.schema.json#/definitions/localImage'}}},
    })
  })

  it('forward stop, open, image reset, logs: closed sets and the fields a state needs', () => {
    expect(valid('forward-stop.schema.json', {stopped: true, pid: 48213})).toBe(true)
    expect(valid('forward-stop.schema.json', {stopped: false})).toBe(true)
    expect(
      valid('forward-stop.schema.json', {
        stopped: false,
        pid: 48213,
        stale: 'pid 48213 is not running',
      }),
    ).toBe(true)
    expect(valid('forward-stop.schema.json', {stopped: true})).toBe(false)
    expect(valid('forward-stop.schema.json', {stopped: false, signalled: []})).toBe(false)

    const open = {component: 'web', url: 'http://localhost:14173/', opened: true}
    expect(valid('open-result.schema.json', open)).toBe(true)
    expect(valid('open-result.schema.json', {...open, opened: false})).toBe(false)
    expect(valid('open-result.schema.json', {...open, component: 'redis'})).toBe(false)

    const reset = {
      dryRun: false,
      provider: 'kind',
      cluster: 'geniro-dev',
      kubeContext: 'kind-geniro-dev',
      namespace: 'geniro',
      release: 'geniro',
      steps: [{title: 'Forget the local image of web'}],
      reset: ['web'],
      releaseAction: 'upgraded',
    }
    expect(valid('image-reset.schema.json', reset)).toBe(true)
    expect(valid('image-reset.schema.json', {...reset, releaseAction: 'deleted'})).toBe(false)
    expect(valid('image-reset.schema.json', {...reset, reset: ['nginx']})).toBe(false)
    expect(valid('image-reset.schema.json', {...reset, steps: [{title: 't', run: 1}]})).toBe(false)

    const line = {
      time: '2025-01-02T03:04:05.123456789Z',
      component: 'api',
      pod: 'geniro-api-1',
      container: 'api',
      message: 'api ready',
    }
    expect(valid('logs-line.schema.json', line)).toBe(true)
    expect(valid('logs-line.schema.json', {...line, time: ''})).toBe(true)
    expect(valid('logs-line.schema.json', {...line, time: 'yesterday'})).toBe(false)
    expect(valid('logs-line.schema.json', {...line, level: 'info'})).toBe(false)
  })
})
