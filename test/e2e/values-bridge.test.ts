/**
 * `values --mode bridge` from Compose files alone (no engine on PATH, --host-address given):
 * the PostgreSQL port is the one the server listens on inside its container (issue 13), and
 * the chosen project and service, and the warnings `bridge` prints, go to stderr (stdout stays
 * the values file) and into --json.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse} from 'yaml'
import {afterAll, describe, expect, it} from 'vitest'
import {runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

const dir = mkdtempSync(join(tmpdir(), 'gdev-values-bridge-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

let cases = 0
/** A Compose project of one PostgreSQL service with this `db` service body. */
function composeFile(db: Record<string, unknown>): string {
  const file = join(dir, `compose-${cases++}.yaml`)
  const service = {image: 'pgvector/pgvector:pg17', environment: {POSTGRES_PASSWORD: 'pw'}, ...db}
  writeFileSync(file, JSON.stringify({name: 'shop', services: {db: service}}))
  return file
}

const values = (file: string, ...args: string[]) =>
  runCli(['values', '--mode', 'bridge', file, '--host-address', '10.1.2.3', ...args])

async function externalPort(db: Record<string, unknown>): Promise<number> {
  const run = await values(composeFile(db))
  expect(run.code, run.stderr).toBe(0)
  return (parse(run.stdout) as {externalPostgresql: {port: number}}).externalPostgresql.port
}

describe('the PostgreSQL port is the container port the server listens on', () => {
  it.each([
    ['the default 5432', {ports: ['5440:5433', '5439:5432']}, 5439],
    [
      'PGPORT',
      {ports: ['5439:5432', '5440:5433'], environment: {POSTGRES_PASSWORD: 'pw', PGPORT: '5433'}},
      5440,
    ],
    [
      '-p in command',
      {ports: ['5439:5432', '5441:5434'], command: ['postgres', '-p', '5434']},
      5441,
    ],
    [
      '-c port= in command',
      {ports: ['5439:5432', '7000:6000'], command: 'postgres -c port=6000'},
      7000,
    ],
    [
      'options only (the entrypoint adds postgres)',
      {ports: ['5439:5432', '7000:6000'], command: ['-c', 'port=6000']},
      7000,
    ],
    [
      'a shell line',
      {
        ports: ['5439:5432', '7000:6000'],
        command: ['sh', '-c', 'mkdir -p /x && exec docker-entrypoint.sh postgres --port=6000'],
      },
      7000,
    ],
    ['all addresses before loopback', {ports: ['127.0.0.1:5438:5432', '5439:5432']}, 5439],
  ])('%s', async (_title, db, port) => {
    // Before issue 13 the first published port whose container side was 5432 won.
    expect(await externalPort(db)).toBe(port)
  })

  it('refuses a service that does not publish the port its server listens on, naming both', async () => {
    const run = await values(
      composeFile({ports: ['5439:5432'], command: ['postgres', '-p', '5433']}),
    )
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(
      'listens on container port 5433 (its command (-p 5433)) but publishes only 5439->5432',
    )
    expect(run.stderr).toContain('Hint: publish container port 5433')
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.stdout).toBe('')
  })
})

describe('what values --mode bridge chose, and its warnings', () => {
  it('names the project and service on stderr, keeping stdout the values file', async () => {
    const run = await values(composeFile({ports: ['5439:5432']}))
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(
      'Compose project shop: PostgreSQL is service db (host port 5439 -> 5432)',
    )
    expect(run.stderr).not.toContain('Warning')
    expect(parse(run.stdout)).toMatchObject({externalPostgresql: {host: '10.1.2.3', port: 5439}})
  })

  it('warns about a port published on a loopback address only, as bridge does', async () => {
    for (const [spec, shown] of [
      ['127.0.0.1:5439:5432', '127.0.0.1:5439'],
      ['[::1]:5439:5432', '[::1]:5439'],
    ]) {
      const run = await values(composeFile({ports: [spec]}))
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toContain(
        `Warning: Compose publishes db on ${shown} only; pods cannot reach that`,
      )
    }
  })

  it('warns that a host range is a guess until the stack runs', async () => {
    const run = await values(composeFile({ports: ['5439-5441:5432']}))
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('Warning: Compose publishes db on the host range 5439-5441')
  })

  it('puts the choice and the warnings in --json, and nothing on stderr', async () => {
    const run = await values(composeFile({ports: ['127.0.0.1:5439:5432']}), '--json')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    const body = expectJson('values.schema.json', run.stdout)
    expect(body.bridge).toMatchObject({
      project: 'shop',
      postgresql: {service: 'db', published: 5439, target: 5432},
    })
    expect(body.bridge.warnings).toHaveLength(1)
    expect(body.bridge.warnings[0]).toContain('127.0.0.1:5439 only')
  })
})
