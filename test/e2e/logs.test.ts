/**
 * `geniro-dev logs` as a user runs it, against the fake kubectl: each container's log is a CRI
 * log file the test writes (as the kubelet keeps them), and writing the next instance's file
 * restarts the container (restart count up, the old `kubectl logs -f` ends, as kubectl's does).
 */
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {appendFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processesMentioning} from '../support/processes.js'
import {BIN, runCli} from '../support/run-cli.js'
import {expectJsonLines} from '../support/schemas.js'

let environments: FakeEnvironment[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  environments = []
})

async function installed(): Promise<FakeEnvironment> {
  const environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
  environments.push(environment)
  const up = await runCli(['up', '--no-forward', '--json'], environment.env)
  expect(up.code, up.stderr).toBe(0)
  return environment
}

function kubectl(environment: FakeEnvironment, args: string[]): string {
  return execFileSync(
    join(environment.binDir, 'kubectl'),
    ['--context', 'kind-geniro-dev', '--namespace', 'geniro', ...args],
    {
      env: environment.env,
      encoding: 'utf8',
    },
  )
}

function podsOf(environment: FakeEnvironment, component: string): string[] {
  return kubectl(environment, [
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/component=${component}`,
    '-o',
    'name',
  ])
    .split('\n')
    .filter(Boolean)
    .map((name) => name.replace(/^pod\//, ''))
}

/** Appends CRI log entries (`<time> stdout F <message>`) to a container instance's log. */
function writeLog(
  environment: FakeEnvironment,
  pod: string,
  container: string,
  instance: number,
  entries: Array<[Date, string]>,
): void {
  const dir = join(environment.stateDir, 'pod-logs', 'geniro', pod, container)
  mkdirSync(dir, {recursive: true})
  appendFileSync(
    join(dir, `${instance}.log`),
    entries.map(([time, message]) => `${time.toISOString()} stdout F ${message}\n`).join(''),
  )
}

const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000)

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('geniro-dev logs', () => {
  it('merges the containers of the release in time order, each line prefixed with component and pod', async () => {
    const environment = await installed()
    const [api] = podsOf(environment, 'api')
    const [web] = podsOf(environment, 'web')
    writeLog(environment, api!, 'api', 0, [
      [at(7200), 'api booting (two hours ago)'],
      [at(30), 'api started'],
      [at(10), 'api ready'],
    ])
    writeLog(environment, web!, 'web', 0, [[at(20), 'web serving']])

    const run = await runCli(['logs', 'api', 'web'], environment.env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `[api/${api}] api booting (two hours ago)`,
      `[api/${api}] api started`,
      `[web/${web}] web serving`,
      `[api/${api}] api ready`,
    ])

    const recent = await runCli(
      ['logs', 'api', 'web', '--since', '1h', '--timestamps'],
      environment.env,
    )
    const lines = recent.stdout.split('\n').filter(Boolean)
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(
      new RegExp(`^\\[api/${api}\\] \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z api started$`),
    )

    const tail = await runCli(['logs', 'api', '--tail', '1', '--json'], environment.env)
    expect(tail.code, tail.stderr).toBe(0)
    const objects = expectJsonLines('logs-line.schema.json', tail.stdout)
    expect(objects).toEqual([
      {
        time: expect.stringMatching(/Z$/),
        component: 'api',
        pod: api,
        container: 'api',
        message: 'api ready',
      },
    ])

    // All components: the others' pods are there, with nothing logged yet.
    const everything = await runCli(['logs'], environment.env)
    expect(everything.code, everything.stderr).toBe(0)
    expect(everything.stdout).toContain(`[web/${web}] web serving`)

    const unknown = await runCli(['logs', 'nope'], environment.env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^Error: unknown component "nope"/)
    const badSince = await runCli(['logs', '--since', 'yesterday'], environment.env)
    expect(badSince.code).toBe(2)
  })

  it('-f follows across a container restart and a new pod, without repeating a line; Ctrl-C exits 130', async () => {
    const environment = await installed()
    const [api] = podsOf(environment, 'api')
    writeLog(environment, api!, 'api', 0, [[at(60), 'first instance: line 1']])
    const child = spawn(process.execPath, [BIN, 'logs', 'api', '-f'], {
      env: {HOME: environment.home, ...environment.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      await until('the first line', () => stdout.includes('first instance: line 1'))
      writeLog(environment, api!, 'api', 0, [[at(50), 'first instance: line 2']])
      await until('an appended line', () => stdout.includes('first instance: line 2'))

      // The container restarts: a new instance with a log of its own.
      writeLog(environment, api!, 'api', 1, [[at(40), 'second instance: line 1']])
      await until('the restarted container', () => stdout.includes('second instance: line 1'))
      const pod = JSON.parse(kubectl(environment, ['get', 'pod', api!, '-o', 'json']))
      expect(pod.status.containerStatuses[0].restartCount).toBe(1)
      writeLog(environment, api!, 'api', 1, [[at(30), 'second instance: line 2']])
      await until('the next line', () => stdout.includes('second instance: line 2'))

      // A new pod (a scale-up) is followed too.
      const scaled = await runCli(
        ['up', '--no-forward', '--set', 'api.replicaCount=2'],
        environment.env,
      )
      expect(scaled.code, scaled.stderr).toBe(0)
      const added = podsOf(environment, 'api').find((name) => name !== api)
      expect(added).toBeDefined()
      writeLog(environment, added!, 'api', 0, [[at(5), 'the new pod says hello']])
      await until('the new pod', () => stdout.includes(`[api/${added}] the new pod says hello`))
    } finally {
      child.kill('SIGINT')
    }
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, stderr).toBe(130)
    const lines = stdout.split('\n').filter(Boolean)
    expect(lines.filter((l) => l.startsWith(`[api/${api}]`))).toEqual([
      `[api/${api}] first instance: line 1`,
      `[api/${api}] first instance: line 2`,
      `[api/${api}] second instance: line 1`,
      `[api/${api}] second instance: line 2`,
    ])
    // Every `kubectl logs -f` went with it.
    expect(processesMentioning(`logs ${api}`)).toEqual([])
  })
})
