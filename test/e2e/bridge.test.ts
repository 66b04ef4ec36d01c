/**
 * `bridge` and `values --mode bridge` as a user runs them (bin/run.js): a REAL Compose project
 * whose PostgreSQL 17 (+ pgvector) publishes a host port, the real Docker engine (the reach
 * probe runs in a throwaway container on the kind network the fake kind created), real
 * PostgreSQL roles and databases; only the cluster side (kind create, kubectl, helm) is faked.
 * The project's "Redis" (for --bridge-services redis) is a busybox TCP listener on 6379, and
 * a worker service uses its database 2, as an app of the stack would.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {parse} from 'yaml'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {FAKE_NODE_IMAGE, fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {ensureBusyboxImage} from '../support/busybox-image.js'
import {catalogSnapshot} from '../support/pg-catalog.js'
import {ensurePostgresImage} from '../support/postgres-image.js'
import {waitFor} from '../support/processes.js'
import {DOCKER_CONFIG_WITH_COMPOSE, dockerCli} from '../support/toolchain.js'
import {addressesInUse} from '../../src/adapters/host-ports.js'
import {runCliChecked} from '../support/schemas.js'

const ADMIN = {user: 'geniro', password: 'compose-secret'}
const REDIS_PASSWORD = 'redis-compose-secret'
let environment: FakeEnvironment
let dockerHost: string
let dir: string
let composeFile: string
let project: string
let port: number
let redisPort: number

function docker(args: string[]): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()
}

const compose = (args: string[]) => docker(['compose', '-p', project, '-f', composeFile, ...args])

/** Runs the CLI; every successful --json run is checked against its command's schema. */
const cli = (args: string[]) =>
  runCliChecked(args, {...environment.env, GENIRO_DEV_CLUSTER: 'bridge-e2e'})

/**
 * bridge with what every run here needs: the Compose file, a local probe image, no forwards.
 * Every successful bridge --json is checked against the up result's schema (by cli).
 */
const bridge = (args: string[] = []) =>
  cli(['bridge', composeFile, '--probe-image', FAKE_NODE_IMAGE, '--no-forward', ...args])

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres') {
  const client = new pg.Client({host: '127.0.0.1', port, database, ...ADMIN})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** Databases with their owners and row versions: any write shows up here. */
const catalog = () =>
  asAdmin(
    async (client) =>
      (
        await client.query(
          `SELECT datname, pg_get_userbyid(datdba) AS owner, xmin::text FROM pg_database ORDER BY datname`,
        )
      ).rows,
  )

/** `values --mode bridge` of the test's Compose file. */
const valuesBridge = (args: string[]) => cli(['values', '--mode', 'bridge', composeFile, ...args])

/** The mutating calls the fakes recorded after the first `count` calls. */
const mutatingSince = (count: number) =>
  environment
    .calls()
    .slice(count)
    .filter((call) => call.mutating)

function helmValues(): Record<string, unknown> {
  const out = execFileSync(
    join(environment.binDir, 'helm'),
    ['get', 'values', 'geniro', '-n', 'geniro', '--kube-context', 'kind-bridge-e2e', '-o', 'json'],
    {env: environment.env, encoding: 'utf8'},
  )
  return JSON.parse(out)
}

function secretPassword(name = 'geniro-dev-bridge-postgresql'): string {
  const out = execFileSync(
    join(environment.binDir, 'kubectl'),
    ['get', 'secret', name, '-n', 'geniro', '--context', 'kind-bridge-e2e', '-o', 'json'],
    {env: environment.env, encoding: 'utf8'},
  )
  return Buffer.from(JSON.parse(out).data.password, 'base64').toString('utf8')
}

beforeAll(async () => {
  dockerHost = inject('dockerHost')
  environment = fakeEnvironment({helm: 'helm4', dockerHost, withMinikube: true})
  const image = await ensurePostgresImage(dockerHost)
  const busybox = ensureBusyboxImage(dockerHost)
  port = (await addressesInUse(5439)).length === 0 ? 5439 : 25439
  redisPort = (await addressesInUse(6380)).length === 0 ? 6380 : 26380
  dir = mkdtempSync(join(tmpdir(), 'gdev-bridge-'))
  chmodSync(dir, 0o755)
  project = `gdev-bridge-${randomBytes(3).toString('hex')}`
  composeFile = join(dir, 'docker-compose.yml')
  writeFileSync(
    composeFile,
    [
      `name: ${project}`,
      'services:',
      '  postgres:',
      `    image: ${image}`,
      '    environment:',
      `      POSTGRES_USER: ${ADMIN.user}`,
      `      POSTGRES_PASSWORD: ${ADMIN.password}`,
      '      POSTGRES_DB: geniro',
      '    ports:',
      `      - "${port}:5432"`,
      '  redis:',
      `    image: ${busybox}`,
      '    command: ["httpd", "-f", "-p", "6379", "-h", "/tmp"]',
      '    environment:',
      `      REDIS_PASSWORD: ${REDIS_PASSWORD}`,
      '    ports:',
      `      - "${redisPort}:6379"`,
      '  worker:',
      `    image: ${busybox}`,
      '    command: ["sleep", "3600"]',
      '    environment:',
      `      REDIS_URL: redis://:${REDIS_PASSWORD}@redis:6379/2`,
      '      DATABASE_URL: postgresql+psycopg2://geniro_app:pw@postgres/app_db',
      '',
    ].join('\n'),
  )
  compose(['up', '-d'])
  await waitFor(
    () => asAdmin(async () => true).catch(() => false),
    60_000,
    'the Compose PostgreSQL to accept connections',
  )
}, 240_000)

afterAll(async () => {
  if (environment) await cli(['down', '--yes'])
  try {
    compose(['down', '--volumes'])
  } finally {
    environment?.cleanup()
    rmSync(dir, {recursive: true, force: true})
  }
})

describe('geniro-dev bridge', () => {
  it('installs against the Compose PostgreSQL: own role and databases, values, Secret', async () => {
    const run = await bridge(['--json'])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result.mode).toBe('bridge')
    const gateway = docker([
      'network',
      'inspect',
      'kind',
      '--format',
      '{{range .IPAM.Config}}{{.Gateway}} {{end}}',
    ])
      .split(' ')
      .find((address) => address.includes('.'))
    expect(result.bridge).toMatchObject({
      service: 'postgres',
      route: {host: gateway, port, path: 'gateway'},
      role: 'geniro_k8s',
      databases: ['geniro_k8s', 'keycloak_k8s', 'litellm_k8s'],
      secret: 'geniro-dev-bridge-postgresql',
    })

    const values = helmValues() as {
      postgresql: {enabled: boolean}
      externalPostgresql: Record<string, unknown>
      keycloak: {database: string}
      litellm: {database: string}
    }
    expect(values.postgresql.enabled).toBe(false)
    expect(values.externalPostgresql).toMatchObject({
      enabled: true,
      host: gateway,
      port,
      username: 'geniro_k8s',
      database: 'geniro_k8s',
      existingSecret: 'geniro-dev-bridge-postgresql',
    })
    expect(JSON.stringify(values)).not.toContain(ADMIN.password)
    expect(values.keycloak.database).toBe('keycloak_k8s')
    expect(values.litellm.database).toBe('litellm_k8s')

    // The Secret's password really logs the role in, and vector is in the API's database.
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      database: 'geniro_k8s',
      user: 'geniro_k8s',
      password: secretPassword(),
    })
    await client.connect()
    const vector = await client.query(`SELECT extname FROM pg_extension WHERE extname = 'vector'`)
    await client.end()
    expect(vector.rows).toEqual([{extname: 'vector'}])
    const owners = (await catalog()).filter((row) => row.datname.endsWith('_k8s'))
    expect(owners.map((row) => [row.datname, row.owner])).toEqual([
      ['geniro_k8s', 'geniro_k8s'],
      ['keycloak_k8s', 'geniro_k8s'],
      ['litellm_k8s', 'geniro_k8s'],
    ])
  })

  it('a re-run changes nothing: zero mutating calls, the same catalog rows', async () => {
    const before = await catalogSnapshot({host: '127.0.0.1', port, ...ADMIN})
    const calls = environment.calls().length
    const run = await bridge(['--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(mutatingSince(calls)).toEqual([])
    expect(await catalogSnapshot({host: '127.0.0.1', port, ...ADMIN})).toEqual(before)
  })

  it('status and ports show which path pods reach the Compose PostgreSQL by', async () => {
    const status = await cli(['status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    const report = JSON.parse(status.stdout)
    expect(report.mode).toBe('bridge')
    expect(report.bridge).toEqual([
      expect.objectContaining({
        service: 'postgresql',
        composeService: 'postgres',
        port,
        path: 'gateway',
      }),
    ])
    const ports = await cli(['ports', '--json', '--port', 'redis=26379'])
    expect(JSON.parse(ports.stdout).bridge).toEqual(report.bridge)
    expect((await cli(['ports', '--port', 'redis=26379'])).stdout).toMatch(
      /Bridge mode.*\n\s+postgresql\s+postgres at \S+:\d+ \(gateway path\)/,
    )
  })

  it('--bridge-services redis shares the Compose Redis through a database of its own', async () => {
    const run = await bridge(['--bridge-services', 'redis', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    const host = result.bridge.route.host
    expect(result.bridge.redis).toEqual({
      service: 'redis',
      host,
      port: redisPort,
      path: 'gateway',
      database: 1,
      secret: 'geniro-dev-bridge-redis',
    })
    const values = helmValues() as {
      redis: {enabled: boolean}
      externalRedis: Record<string, unknown>
      externalPostgresql: Record<string, unknown>
    }
    expect(values.redis.enabled).toBe(false)
    expect(values.externalRedis).toEqual({
      enabled: true,
      host,
      port: redisPort,
      database: 1,
      auth: true,
      existingSecret: 'geniro-dev-bridge-redis',
      existingSecretPasswordKey: 'password',
    })
    expect(values.externalPostgresql).toMatchObject({host, port, database: 'geniro_k8s'})
    expect(JSON.stringify(values)).not.toContain(REDIS_PASSWORD)
    expect(secretPassword('geniro-dev-bridge-redis')).toBe(REDIS_PASSWORD)
  })

  it('--bridge-services redis again changes nothing', async () => {
    const calls = environment.calls().length
    const run = await bridge(['--bridge-services', 'redis', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(mutatingSince(calls)).toEqual([])
  })

  it('refuses a Redis database the Compose stack uses, changing nothing', async () => {
    const before = helmValues()
    for (const [database, owner] of [
      ['0', /default database/],
      ['2', /REDIS_URL of Compose service "worker"/],
    ] as const) {
      const calls = environment.calls().length
      const run = await bridge(['--bridge-services', 'redis', '--redis-database', database])
      expect(run.code, run.stderr).toBe(3)
      expect(run.stderr).toContain(`Redis database ${database} belongs to the Compose stack`)
      expect(run.stderr).toMatch(owner)
      expect(run.stderr).toMatch(/Hint: pass --redis-database 1\b/)
      expect(mutatingSince(calls)).toEqual([])
    }
    expect(helmValues()).toEqual(before)
  })

  it('refuses to share Qdrant, in one clear line, changing nothing', async () => {
    const calls = environment.calls().length
    const run = await bridge(['--bridge-services', 'redis,qdrant'])
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(
      /Qdrant cannot be shared safely .*collection.prefix.*stays in the cluster/,
    )
    expect(run.stderr).toMatch(/Hint: drop qdrant from --bridge-services/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(mutatingSince(calls)).toEqual([])
  })

  it('refuses a database name the Compose stack uses, creating nothing', async () => {
    const before = await catalog()
    const calls = environment.calls().length
    const run = await bridge(['--database', 'geniro'])
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/geniro/)
    expect(run.stderr).toMatch(/Hint: .*--database/)
    expect(await catalog()).toEqual(before)
    expect(mutatingSince(calls)).toEqual([])
  })

  it('a wrong admin password is one clear line', async () => {
    const run = await bridge(['--pg-password', 'not-the-password', '--db-suffix', '_other'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`password authentication failed for user "${ADMIN.user}"`)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect((await catalog()).map((row) => row.datname)).not.toContain('geniro_other')
  })

  it('values --mode bridge prints the bridge values for a given host, without touching anything', async () => {
    const calls = environment.calls().length
    const run = await valuesBridge(['--host-address', '10.11.12.13'])
    expect(run.code, run.stderr).toBe(0)
    const values = parse(run.stdout)
    expect(values.postgresql.enabled).toBe(false)
    expect(values.externalPostgresql).toMatchObject({
      host: '10.11.12.13',
      port,
      database: 'geniro_k8s',
      existingSecret: 'geniro-dev-bridge-postgresql',
    })
    expect(run.stdout).toContain('# Bridge mode.')
    expect(run.stdout).not.toContain(ADMIN.password)
    expect(environment.calls().length).toBe(calls)

    const local = await valuesBridge(['--host-address', '127.0.0.1'])
    expect(local.code).toBe(3)
    expect(local.stderr).toMatch(/pod itself|localhost/i)
    // Legacy IPv4 spellings of loopback, and what is no host at all.
    for (const address of ['127.1', '2130706433', '0x7f000001', 'a b', 'http://x']) {
      const bad = await valuesBridge(['--host-address', address])
      expect(bad.code, address).toBe(3)
      expect(bad.stderr.split('\n')[0]).toBe(
        `Error: "${address}" is not a host address: give an IPv4 address (a.b.c.d), an IPv6 address or a host name`,
      )
    }
    expect(environment.calls().length).toBe(calls)
  })

  it('values --mode bridge --bridge-services redis prints the Redis values too', async () => {
    const calls = environment.calls().length
    const run = await valuesBridge(['--bridge-services', 'redis', '--host-address', '10.1.2.3'])
    expect(run.code, run.stderr).toBe(0)
    const values = parse(run.stdout)
    expect(values.redis.enabled).toBe(false)
    expect(values.externalRedis).toEqual({
      enabled: true,
      host: '10.1.2.3',
      port: redisPort,
      database: 1,
      auth: true,
      existingSecret: 'geniro-dev-bridge-redis',
      existingSecretPasswordKey: 'password',
    })
    expect(values.externalPostgresql).toMatchObject({host: '10.1.2.3', port})
    expect(run.stdout).not.toContain(REDIS_PASSWORD)
    expect(environment.calls().length).toBe(calls)
  })

  it('isolated mode refuses bridge-only input', async () => {
    const run = await cli(['up', composeFile, '--dry-run'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('only apply to bridge mode')
  })

  it('down disconnects the Compose container that bridge mode attached, and only that', async () => {
    // The attach fallback itself needs an engine with the userland proxy off (see
    // test/integration/reachability.test.ts); here the attachment is made as it makes it.
    const container = compose(['ps', '--format', '{{.Name}}', 'postgres'])
    docker(['network', 'connect', 'kind', container])
    const stateDir = join(
      environment.env.GENIRO_DEV_STATE_DIR!,
      'forwards',
      'kind-bridge-e2e@geniro',
    )
    mkdirSync(stateDir, {recursive: true})
    writeFileSync(
      join(stateDir, 'bridge-attachment.json'),
      JSON.stringify({network: 'kind', container}),
    )
    const networks = () =>
      docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', container])
    expect(Object.keys(JSON.parse(networks()))).toContain('kind')

    const down = await cli(['down', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(JSON.parse(down.stdout).composeDetached).toBe(true)
    expect(Object.keys(JSON.parse(networks()))).not.toContain('kind')
    // Its own network stays: the Compose stack is untouched otherwise.
    expect(Object.keys(JSON.parse(networks()))).toHaveLength(1)

    const again = await cli(['down', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout).composeDetached).toBe(false)
  })

  it('on a minikube VM driver (no Docker network to join), a one-off pg_isready pod checks the path', async () => {
    execFileSync(
      join(environment.binDir, 'minikube'),
      ['start', '-p', 'bridge-vm', '--driver', 'kvm2', '--keep-context'],
      {env: environment.env, stdio: 'ignore'},
    )
    const calls = environment.calls().length
    const run = await cli([
      'bridge',
      composeFile,
      '--provider',
      'minikube',
      '--cluster',
      'bridge-vm',
      '--no-forward',
      '--probe-pod-image',
      await ensurePostgresImage(dockerHost),
      // Another cluster: the default names belong to the kind cluster's release.
      '--db-suffix',
      '_vm',
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    const probe = environment
      .calls()
      .slice(calls)
      .find((call) => call.tool === 'kubectl' && call.argv.includes('run'))
    expect(probe?.argv).toEqual(
      expect.arrayContaining(['--rm', '--attach', '--context', 'bridge-vm', 'pg_isready']),
    )
    expect(probe?.argv.join(' ')).toContain(`--port ${port}`)
    const result = JSON.parse(run.stdout)
    expect(result.bridge.route).toMatchObject({port, path: 'gateway'})
    await cli([
      'down',
      '--provider',
      'minikube',
      '--cluster',
      'bridge-vm',
      '--delete-cluster',
      '--yes',
    ])
  })

  it('a stopped Compose PostgreSQL is a clear error', async () => {
    compose(['stop', 'postgres'])
    try {
      const run = await bridge()
      expect(run.code).toBe(3)
      expect(run.stderr).toMatch(/"postgres" of project "[^"]+" is exited/)
      expect(run.stderr).toMatch(/Hint: start it/)
    } finally {
      compose(['start', 'postgres'])
    }
  })
})

describe('bridge ownership: takeovers refused with nothing written', () => {
  const snapshot = () => catalogSnapshot({host: '127.0.0.1', port, ...ADMIN})

  beforeAll(async () => {
    // The test before restarted the Compose PostgreSQL.
    await waitFor(
      () => asAdmin(async () => true).catch(() => false),
      60_000,
      'the Compose PostgreSQL to accept connections again',
    )
  })

  /** A bridge run that must exit 3 without a write to PostgreSQL or the cluster. */
  async function refused(args: string[]): Promise<string> {
    const before = await snapshot()
    const calls = environment.calls().length
    const run = await bridge(args)
    expect(run.code, run.stderr).toBe(3)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(mutatingSince(calls)).toEqual([])
    expect(await snapshot()).toEqual(before)
    return run.stderr
  }

  it("refuses --db-suffix _dev when a role geniro_dev owns the stack's database, and the app still logs in", async () => {
    await asAdmin((client) => client.query("CREATE ROLE geniro_dev LOGIN PASSWORD 'app-secret'"))
    await asAdmin((client) => client.query('CREATE DATABASE app OWNER geniro_dev'))
    const stderr = await refused(['--db-suffix', '_dev'])
    expect(stderr).toMatch(
      /^Error: role geniro_dev \(no geniro-dev mark; owns database app\) at 127\.0\.0\.1:\d+ is not geniro-dev's for release "geniro" in namespace "geniro" of kube context "kind-bridge-e2e"/m,
    )
    expect(stderr).toContain('Hint: choose other names with --db-suffix SUFFIX')
    const app = new pg.Client({
      host: '127.0.0.1',
      port,
      database: 'app',
      user: 'geniro_dev',
      password: 'app-secret',
    })
    await app.connect()
    await app.end()
  })

  it("refuses --database app, the stack's own database, though no list reserves it", async () => {
    const stderr = await refused(['--database', 'app'])
    expect(stderr).toMatch(/^Error: database app \(no geniro-dev mark; owned by role geniro_dev\)/m)
    expect(stderr).toMatch(/Hint: .*--database NAME/)
  })

  it("refuses names another service's DATABASE_URL uses (user and database), saying where", async () => {
    const stderr = await refused(['--db-suffix', '_app'])
    expect(stderr).toContain(
      'the Compose stack already uses the name geniro_app (DATABASE_URL of Compose service "worker")',
    )
    expect(await refused(['--database', 'app_db'])).toContain('app_db (DATABASE_URL of')
  })

  it('refuses a second bridge (-n team-b) on the same names, naming the first owner', async () => {
    const stderr = await refused(['-n', 'team-b'])
    expect(stderr).toContain(
      'role geniro_k8s (created by geniro-dev for release "geniro" in namespace "geniro" of kube context "kind-bridge-e2e"',
    )
    expect(stderr).toMatch(
      /Hint: another bridge uses these names: choose other names with --db-suffix/,
    )
  })

  it('runs the second bridge with its own --db-suffix, and its re-run writes nothing', async () => {
    const first = await bridge(['-n', 'team-b', '--db-suffix', '_team_b', '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout).bridge.role).toBe('geniro_team_b')
    const before = await snapshot()
    const calls = environment.calls().length
    const again = await bridge(['-n', 'team-b', '--db-suffix', '_team_b', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(mutatingSince(calls)).toEqual([])
    expect(await snapshot()).toEqual(before)
  })

  it('under --json, the refusal lists what it found', async () => {
    const run = await bridge(['-n', 'team-c', '--json'])
    expect(run.code).toBe(3)
    const {error} = JSON.parse(run.stdout)
    expect(error.refused).toContainEqual({
      kind: 'role',
      name: 'geniro_k8s',
      finding: {
        kind: 'other',
        owner: {context: 'kind-bridge-e2e', namespace: 'geniro', release: 'geniro'},
      },
      owns: ['geniro_k8s', 'keycloak_k8s', 'litellm_k8s'],
    })
  })
})
