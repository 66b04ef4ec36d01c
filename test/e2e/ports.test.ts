/**
 * `ports` (and `forward` beside Compose) as a user runs them (bin/run.js), with a REAL
 * Compose project on the test engine: busybox listeners standing in for the Geniro stack's
 * PostgreSQL (5439:5432, another free port if 5439 is taken on the shared engine) and Redis
 * published on 16379, the redis forward's default port, so that one is a conflict. Only
 * the cluster side is fake (test/fakes), for `forward`.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import getPort, {portNumbers} from 'get-port'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {ensureNodeImage, fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processesMentioning} from '../support/processes.js'
import {BIN, runCollecting, type CliRun} from '../support/run-cli.js'
import {expectCliJson} from '../support/schemas.js'
import {DOCKER_CONFIG_WITH_COMPOSE, dockerCli} from '../support/toolchain.js'

const dockerHost = inject('dockerHost')
/** Unique per run: other engineers share the engine. */
const project = `gdev-ports-${randomBytes(4).toString('hex')}`
/** Our own cluster name, so the forwards' state never meets anyone else's. */
const CLUSTER = 'ports-e2e'
const REDIS_FORWARD_PORT = 16379

const dir = mkdtempSync(path.join(tmpdir(), 'gdev-ports-e2e-'))
const projectDir = path.join(dir, 'stack')
const composeFile = path.join(projectDir, 'compose.yaml')
/** A directory without a Compose file: the CLI's cwd unless a test says otherwise. */
const elsewhere = path.join(dir, 'elsewhere')

let environment: FakeEnvironment | undefined
let pgPort = 0

interface ComposeEntry {
  project: string
  service: string
  hostIp: string
  published: number
  target: number
  protocol: string
}

interface Report {
  compose: ComposeEntry[]
  forwards: Array<{name: string; localPort: number; remotePort?: number}>
  bound: Array<{port: number; holder: string}>
  declared: Array<{port: number; holder: string}>
  conflicts: Array<{port: number; forward: string; holder: string}>
}

// Without running forwards only the local ports are known: the Service ports are the release's.
const DEFAULT_FORWARDS = [
  {name: 'api', localPort: 15000},
  {name: 'web', localPort: 14173},
  {name: 'litellm', localPort: 14000},
  {name: 'keycloak', localPort: 18080},
  {name: 'postgresql', localPort: 15432},
  {name: 'redis', localPort: 16379},
  {name: 'qdrant', localPort: 16333},
]

/** What the engine publishes for our project, as `ports` must report it (IPv4 and :: once). */
const ourPorts = (): ComposeEntry[] => [
  {
    project,
    service: 'postgres',
    hostIp: '0.0.0.0',
    published: pgPort,
    target: 5432,
    protocol: 'tcp',
  },
  {
    project,
    service: 'redis',
    hostIp: '0.0.0.0',
    published: REDIS_FORWARD_PORT,
    target: 6379,
    protocol: 'tcp',
  },
]

const composeHolder = (service: string) =>
  `Compose service "${service}" of project "${project}" publishes it`

/**
 * bin/run.js with the fake environment (the test engine as DOCKER_HOST) and our cluster name;
 * every successful --json run (ports: also exit 1, a conflict) is checked against its schema.
 */
async function cli(args: string[], cwd = elsewhere): Promise<CliRun> {
  const run = await runCollecting(process.execPath, [BIN, ...args], {
    cwd,
    env: {
      HOME: process.env.HOME ?? '/root',
      PATH: '/nonexistent',
      ...environment!.env,
      GENIRO_DEV_CLUSTER: CLUSTER,
    },
  })
  expectCliJson(args, run)
  return run
}

async function portsJson(
  args: string[],
  cwd?: string,
): Promise<{code: number | null; report: Report}> {
  const run = await cli(['ports', '--json', ...args], cwd)
  let report: Report
  try {
    report = JSON.parse(run.stdout) as Report
  } catch {
    throw new Error(`ports --json printed no JSON (exit ${run.code}):\n${run.stdout}${run.stderr}`)
  }
  return {code: run.code, report}
}

const ours = (report: Report) =>
  report.compose
    .filter((entry) => entry.project === project)
    .sort((a, b) => a.service.localeCompare(b.service))

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('Error'))

function dockerCompose(...args: string[]): string {
  return execFileSync(dockerCli(), ['compose', '-p', project, '-f', composeFile, ...args], {
    cwd: projectDir,
    env: {...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function supervisorsRunning() {
  return processesMentioning(environment!.dir).filter((p) =>
    p.cmdline.includes('forward-supervisor'),
  )
}

beforeAll(async () => {
  environment = fakeEnvironment({helm: 'helm4', dockerHost})
  const image = ensureNodeImage(dockerHost)
  for (const d of [projectDir, elsewhere]) mkdirSync(d, {recursive: true})
  pgPort = await getPort({port: 5439})
  if ((await getPort({port: REDIS_FORWARD_PORT})) !== REDIS_FORWARD_PORT) {
    throw new Error(`port ${REDIS_FORWARD_PORT} is taken on this host; this suite publishes it`)
  }
  writeFileSync(
    composeFile,
    `name: ${project}
services:
  postgres:
    image: ${image}
    command: ["/bin/busybox", "httpd", "-f", "-p", "5432"]
    ports:
      - "${pgPort}:5432"
  redis:
    image: ${image}
    command: ["/bin/busybox", "httpd", "-f", "-p", "6379"]
    ports:
      - "${REDIS_FORWARD_PORT}:6379"
`,
  )
  dockerCompose('up', '-d')
}, 120_000)

afterAll(async () => {
  try {
    if (environment) await cli(['forward', 'stop'])
    dockerCompose('down', '--volumes', '--remove-orphans', '--timeout', '1')
  } finally {
    environment?.cleanup()
    rmSync(dir, {recursive: true, force: true})
  }
})

describe('geniro-dev ports', () => {
  it('without files: every running Compose container, each port once, the conflict named, exit 1', async () => {
    // Docker really publishes the PostgreSQL port twice, on 0.0.0.0 and on ::.
    const publishers = dockerCompose('ps', '--format', 'json', 'postgres')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => (JSON.parse(line) as {Publishers: Array<{URL: string}>}).Publishers)
    expect(publishers.map((p) => p.URL).sort()).toEqual(['0.0.0.0', '::'])

    const {code, report} = await portsJson([])
    expect(code, JSON.stringify(report)).toBe(1)
    expect(Object.keys(report).sort()).toEqual([
      'bound',
      'bridge',
      'compose',
      'conflicts',
      'declared',
      'forwards',
    ])
    // Every Compose port here is published by a running container: none only declared.
    expect(report.declared).toEqual([])
    for (const entry of report.compose) {
      expect(Object.keys(entry).sort()).toEqual(
        ['hostIp', 'project', 'protocol', 'published', 'service', 'target'].sort(),
      )
    }
    expect(ours(report)).toEqual(ourPorts())
    expect(ours(report).filter((entry) => entry.published === pgPort)).toHaveLength(1)
    expect(report.forwards).toEqual(DEFAULT_FORWARDS)
    expect(report.bound).toContainEqual({port: pgPort, holder: composeHolder('postgres')})
    expect(report.bound).toContainEqual({port: REDIS_FORWARD_PORT, holder: composeHolder('redis')})
    for (const conflict of report.conflicts) {
      expect(Object.keys(conflict).sort()).toEqual(['forward', 'holder', 'port'])
    }
    expect(report.conflicts).toContainEqual({
      port: REDIS_FORWARD_PORT,
      forward: 'redis',
      holder: composeHolder('redis'),
    })

    const human = await cli(['ports'])
    expect(human.code).toBe(1)
    expect(human.stdout).toContain(
      `CONFLICT port ${REDIS_FORWARD_PORT} (redis): ${composeHolder('redis')}; use --port redis=PORT or forward --next-free`,
    )
    const pgLines = human.stdout.split('\n').filter((line) => line.includes(`${project}/postgres`))
    expect(pgLines).toHaveLength(1)
    expect(pgLines[0]).toMatch(new RegExp(`^\\s+0\\.0\\.0\\.0:${pgPort}\\s+-> 5432/tcp\\s+`))
  })

  it('exits 0 with no conflict (the redis forward moved by --port)', async () => {
    let free = await getPort({port: portNumbers(16390, 16480)})
    const {report: before} = await portsJson([])
    while (before.compose.some((entry) => entry.published === free)) free++
    const {code, report} = await portsJson(['--port', `redis=${free}`])
    expect(report.conflicts).toEqual([])
    expect(code).toBe(0)
    expect(report.forwards.find((f) => f.name === 'redis')).toEqual({
      name: 'redis',
      localPort: free,
    })
    const human = await cli(['ports', '--port', `redis=${free}`])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('No conflicts.')
    expect(human.stdout).not.toContain('CONFLICT')
  })

  it('finds the same project from FILE, --compose-file, --compose in its directory, and -p', async () => {
    const ways: Array<{args: string[]; cwd?: string}> = [
      {args: [composeFile]},
      {args: ['--compose-file', composeFile]},
      {args: ['--compose'], cwd: projectDir},
      {args: ['-p', project]},
    ]
    for (const way of ways) {
      const {code, report} = await portsJson(way.args, way.cwd)
      const what = `ports ${way.args.join(' ')}`
      expect(code, what).toBe(1)
      // Only this project, as the engine runs it (a host IP: not the files' model).
      expect(
        [...report.compose].sort((a, b) => a.service.localeCompare(b.service)),
        what,
      ).toEqual(ourPorts())
      expect(report.conflicts, what).toEqual([
        {port: REDIS_FORWARD_PORT, forward: 'redis', holder: composeHolder('redis')},
      ])
    }
  })

  it('names a real listener of this process holding a forward port', async () => {
    const holder: Server = createServer()
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject)
      holder.listen({host: '127.0.0.1', port: 15000}, resolve)
    })
    try {
      const {code, report} = await portsJson([composeFile])
      expect(code).toBe(1)
      const conflict = report.conflicts.find((c) => c.port === 15000)
      expect(conflict?.forward).toBe('api')
      expect(conflict?.holder).toContain(`(pid ${process.pid})`)
      expect(report.bound.find((b) => b.port === 15000)?.holder).toContain(`(pid ${process.pid})`)

      const human = await cli(['ports', composeFile])
      expect(human.stdout).toMatch(
        new RegExp(`CONFLICT port 15000 \\(api\\): .*\\(pid ${process.pid}\\)`),
      )
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
  })

  it('bad input: a missing Compose file is one line and exit 3, and starts nothing', async () => {
    const missing = path.join(dir, 'no-such-compose.yaml')
    const run = await cli(['ports', missing])
    expect(run.code).toBe(3)
    expect(run.stdout).toBe('')
    expect(errorLines(run.stderr)).toHaveLength(1)
    expect(errorLines(run.stderr)[0]).toContain(missing)
    expect(run.stderr).toMatch(/^Hint: /m)

    const json = await cli(['ports', '--json', '--compose-file', missing])
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {kind: 'userError', exitCode: 3, message: expect.stringContaining(missing)},
    })

    // No file to discover here, and no such project running: the same.
    const none = await cli(['ports', '--compose'])
    expect(none.code).toBe(3)
    expect(errorLines(none.stderr)).toHaveLength(1)
    const unknown = await cli(['ports', '-p', `${project}-absent`])
    expect(unknown.code).toBe(3)
    expect(errorLines(unknown.stderr)[0]).toContain(`${project}-absent`)

    const noise = dockerCompose('ps', '--all', '--format', '{{.Service}}')
      .split('\n')
      .filter(Boolean)
    expect(noise.sort()).toEqual(['postgres', 'redis'])
    expect(supervisorsRunning()).toEqual([])
  })

  it('a project that is not running: the ports its files declare, a host range as a range', async () => {
    const stoppedDir = path.join(dir, 'not-started')
    mkdirSync(stoppedDir)
    const stopped = `${project}-files`
    writeFileSync(
      path.join(stoppedDir, 'compose.yaml'),
      `name: ${stopped}
services:
  qdrant:
    image: geniro-dev-fake-node:1
    ports:
      - "16333:6333"
      - "127.0.0.1:16900-16901:6334"
      - "6335"
`,
    )
    const {code, report} = await portsJson(['--compose'], stoppedDir)
    expect(code).toBe(1)
    expect(report.compose).toEqual([
      {
        project: stopped,
        service: 'qdrant',
        hostIp: '',
        published: 16333,
        target: 6333,
        protocol: 'tcp',
      },
      {
        project: stopped,
        service: 'qdrant',
        hostIp: '127.0.0.1',
        published: 16900,
        publishedRangeEnd: 16901,
        target: 6334,
        protocol: 'tcp',
      },
    ])
    // Declared, not bound: before issue 13 these were listed as "bound now".
    const declares = `Compose service "qdrant" of project "${stopped}" declares it (not running now)`
    expect(report.bound.map((b) => b.port)).not.toContain(16333)
    expect(report.bound.map((b) => b.port)).not.toContain(16900)
    expect(report.declared).toEqual([
      {port: 16333, holder: declares},
      {port: 16900, holder: declares},
    ])
    // Taking it would still collide once the stack starts.
    expect(report.conflicts).toContainEqual({port: 16333, forward: 'qdrant', holder: declares})
    const human = await cli(['ports', '--compose'], stoppedDir)
    const bound = human.stdout.split('Bound now:')[1]!.split('\n\n')[0]!
    expect(bound).not.toContain('16333')
    expect(human.stdout).toMatch(
      /Declared in Compose files, not bound now:\n\s+16333\s+Compose service "qdrant"/,
    )
    expect(human.stdout).toMatch(/^\s+\*:16333\s+-> 6333\/tcp\s+\S+\/qdrant$/m)
    expect(human.stdout).toMatch(/^\s+127\.0\.0\.1:16900-16901\s+-> 6334\/tcp\s+\S+\/qdrant$/m)
  })

  it('bad --port values are refused with exit 3', async () => {
    for (const bad of ['redis=abc', 'redis=70000', 'nosuch=15001']) {
      const run = await cli(['ports', composeFile, '--port', bad])
      expect(run.code, bad).toBe(3)
      expect(errorLines(run.stderr), bad).toHaveLength(1)
    }
  })
})

describe('geniro-dev forward beside the Compose project', () => {
  beforeAll(async () => {
    const up = await cli(['up', '--no-forward', '--json'])
    expect(up.code, up.stderr).toBe(0)
  }, 240_000)

  it('refuses the port Compose publishes, naming the service; --next-free moves it to 16380', async () => {
    const refused = await cli(['forward', '--only', 'redis'])
    expect(refused.code, refused.stderr).toBe(3)
    const lines = refused.stderr.split('\n').filter((line) => line.trim() !== '')
    expect(lines[0]).toBe(
      `Error: port ${REDIS_FORWARD_PORT} for redis is taken: ${composeHolder('redis')}`,
    )
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^Hint: .*--next-free/)])
    expect(refused.stdout).toBe('')
    expect(supervisorsRunning()).toEqual([])

    const refusedJson = await cli(['forward', '--only', 'redis', '--json'])
    expect(refusedJson.code).toBe(3)
    expect(JSON.parse(refusedJson.stdout).error).toMatchObject({
      exitCode: 3,
      conflicts: [{port: REDIS_FORWARD_PORT, forward: 'redis', holder: composeHolder('redis')}],
    })

    const moved = await cli(['forward', '--only', 'redis', '--next-free', '--json'])
    expect(moved.code, moved.stderr).toBe(0)
    const started = JSON.parse(moved.stdout)
    expect(started.moved).toEqual([{name: 'redis', from: REDIS_FORWARD_PORT, to: 16380}])
    expect(started.forwards).toHaveLength(1)
    expect(started.forwards[0]).toMatchObject({name: 'redis', localPort: 16380, state: 'ready'})
    const pid = started.supervisor.pid as number

    // `ports` now reports the running supervisor's forwards: its own port is no conflict.
    const {code, report} = await portsJson([composeFile])
    expect(report.forwards).toEqual([{name: 'redis', localPort: 16380, remotePort: 6379}])
    expect(report.bound).toContainEqual({
      port: 16380,
      holder: `geniro-dev forward (supervisor pid ${pid})`,
    })
    expect(report.conflicts).toEqual([])
    expect(code).toBe(0)

    const stop = await cli(['forward', 'stop', '--json'])
    expect(JSON.parse(stop.stdout)).toEqual({stopped: true, pid})
    expect(supervisorsRunning()).toEqual([])

    // The moved port is kept for this cluster, and `ports` plans with it.
    const {report: after} = await portsJson([composeFile])
    expect(after.forwards.find((f) => f.name === 'redis')?.localPort).toBe(16380)
    expect(after.conflicts.find((c) => c.forward === 'redis')).toBeUndefined()
  })
})
