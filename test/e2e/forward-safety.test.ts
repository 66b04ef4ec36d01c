/**
 * `forward`, `forward status|stop|logs` never kill, touch or reveal what is not theirs, as a
 * user runs them (bin/run.js): real processes and signals, real files. A pid from a state
 * file is signalled only when it is proven to be our supervisor; names that could lead
 * outside the state dir are refused before any file is read; unreadable state is reported
 * (exit 3) and cleaned by `forward stop`; the supervisor gets a minimal environment.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it} from 'vitest'
import {alive, identity, killDecoys, startDecoySupervisor, startSleep} from '../support/decoys.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processGroup, processesMentioning, waitFor} from '../support/processes.js'
import {BIN, runCollecting} from '../support/run-cli.js'
import {expectCliJson, expectJson, runCliChecked} from '../support/schemas.js'

const SUPERVISOR_ENV = new Set([
  'PATH',
  'HOME',
  'KUBECONFIG',
  'LANG',
  'LANGUAGE',
  'TZ',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'MALLOC_MMAP_THRESHOLD_',
])

function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  )
}

describe('forward status|stop|logs with state that is not ours', () => {
  let dir: string
  let root: string
  let forwards: string
  const env = () => ({HOME: join(dir, 'home'), GENIRO_DEV_STATE_DIR: root})
  // Each CLI in its own process group: a regression that signals group 0 hits only itself.
  // Every successful --json run is checked against its command's schema.
  const cli = async (args: string[]) => {
    const run = await runCollecting(process.execPath, [BIN, ...args], {
      env: {PATH: '/nonexistent', ...env()},
      detached: true,
    })
    expectCliJson(args, run)
    return run
  }
  const file = (name: string) => join(forwards, name)
  const write = (name: string, value: unknown) =>
    writeFileSync(file(name), typeof value === 'string' ? value : JSON.stringify(value))

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gdev-safety-'))
    root = join(dir, 'state')
    forwards = join(root, 'forwards', 'kind-geniro-dev@geniro')
    mkdirSync(forwards, {recursive: true})
    mkdirSync(join(dir, 'home'))
  })

  afterEach(() => {
    killDecoys()
    rmSync(dir, {recursive: true, force: true})
  })

  it('forward stop with a pidfile naming an unrelated live process leaves it alive and cleans the record', async () => {
    const sleep = startSleep()
    write('supervisor.pid', {pid: sleep})
    write('state.json', {forwards: []})
    const status = await cli(['forward', 'status', '--json'])
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout).supervisor).toEqual({pid: sleep, running: false})
    const stop = await cli(['forward', 'stop'])
    expect(stop.code, stop.stderr).toBe(0)
    expect(stop.stdout).toContain(`Cleaned up stale forward state (pid ${sleep}`)
    expect(stop.stdout).toContain('nothing was signalled')
    expect(alive(sleep)).toBe(true)
    expect(existsSync(file('supervisor.pid'))).toBe(false)
    expect(existsSync(file('state.json'))).toBe(false)
  })

  it('forward stop with a pidfile whose start time differs signals nothing, nor its port-forward group', async () => {
    const decoy = await startDecoySupervisor(join(dir, 'bin'), forwards)
    const recorded = identity(decoy.pid)
    write('supervisor.pid', {...recorded, startTicks: recorded.startTicks + 1})
    const stop = await cli(['forward', 'stop', '--json'])
    expect(stop.code, stop.stderr).toBe(0)
    expect(JSON.parse(stop.stdout)).toEqual({
      stopped: false,
      pid: decoy.pid,
      stale: `pid ${decoy.pid} is now another process (it started at another time)`,
    })
    expect(alive(decoy.pid)).toBe(true)
    expect(alive(decoy.childPid)).toBe(true)
  })

  it('forward stop with a pidfile whose command line is not ours signals nothing', async () => {
    const sleep = startSleep()
    write('supervisor.pid', identity(sleep))
    const status = await cli(['forward', 'status', '--json'])
    expect(JSON.parse(status.stdout).supervisor).toEqual({pid: sleep, running: false})
    const stop = await cli(['forward', 'stop', '--json'])
    expect(JSON.parse(stop.stdout)).toEqual({
      stopped: false,
      pid: sleep,
      stale: `pid ${sleep} is now another program`,
    })
    expect(alive(sleep)).toBe(true)
  })

  it('forward stop stops a record proven to be our supervisor: its whole process group', async () => {
    const decoy = await startDecoySupervisor(join(dir, 'bin'), forwards)
    write('supervisor.pid', identity(decoy.pid))
    const status = await cli(['forward', 'status', '--json'])
    expect(JSON.parse(status.stdout).supervisor).toEqual({pid: decoy.pid, running: true})
    const stop = await cli(['forward', 'stop', '--json'])
    expect(JSON.parse(stop.stdout)).toEqual({stopped: true, pid: decoy.pid})
    await waitFor(() => processGroup(decoy.pid).length === 0, 5_000, 'the decoy group to go')
  })

  it.each([
    ['0', '{"pid": 0}'],
    ['-5', '{"pid": -5}'],
    ['"abc"', '{"pid": "abc"}'],
    ['1.5', '{"pid": 1.5}'],
    ['garbled', '{"pid": '],
    ['empty', ''],
  ])(
    'a pidfile with pid %s is stale state: status exits 3 naming it, stop cleans it',
    async (_, content) => {
      write('supervisor.pid', content)
      const status = await cli(['forward', 'status'])
      expect(status.code).toBe(3)
      expect(status.stderr).toContain(`stale forward state: ${file('supervisor.pid')}`)
      expect(status.stderr).toMatch(/Hint: `geniro-dev forward stop .*` removes it/)
      expect(status.stderr).not.toMatch(/Internal error|at .*\.js:\d+/)
      const stop = await cli(['forward', 'stop'])
      expect(stop.code, stop.stderr).toBe(0)
      expect(stop.stdout).toContain(`Removed unreadable ${file('supervisor.pid')}.`)
      expect(existsSync(file('supervisor.pid'))).toBe(false)
    },
  )

  /** `forward stop` beside a witness `sleep`: prints its exit code and whether the witness lived. */
  const WITNESSED_STOP = `sleep 60 & W=$!; "${process.execPath}" "${BIN}" forward stop; echo "code=$?"; kill -0 $W && echo witness-alive; kill $W`

  it('a pidfile with pid 0 does not signal the caller’s own process group', async () => {
    write('supervisor.pid', {pid: 0})
    // A new session: the CLI and a witness `sleep` share a group, as under a shell.
    const run = await runCollecting('setsid', ['--wait', 'sh', '-c', WITNESSED_STOP], {
      env: {...env(), PATH: '/usr/bin:/bin'},
    })
    expect(run.stdout).toContain('code=0')
    expect(run.stdout).toContain('witness-alive')
  })

  it('a pidfile with pid -N does not signal process N', async () => {
    const sleep = startSleep()
    write('supervisor.pid', {pid: -sleep})
    const stop = await cli(['forward', 'stop'])
    expect(stop.code, stop.stderr).toBe(0)
    expect(alive(sleep)).toBe(true)
  })

  const pidNamespaces =
    spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0
  it.skipIf(!pidNamespaces)(
    'a pidfile with pid 1 signals nothing (run in a pid namespace, with a witness)',
    async () => {
      write('supervisor.pid', {pid: 1})
      // In its own pid namespace, a broken `kill(-1)` could only reach the witness.
      const run = await runCollecting(
        'unshare',
        ['--pid', '--fork', '--mount-proc', 'sh', '-c', WITNESSED_STOP],
        {env: {...env(), PATH: '/usr/bin:/bin'}},
      )
      expect(run.stdout).toContain('code=0')
      expect(run.stdout).toContain('witness-alive')
      expect(existsSync(file('supervisor.pid'))).toBe(false)
    },
  )

  describe('names that could lead outside the state dir', () => {
    let victim: string
    let sleep: number
    beforeEach(() => {
      // What `-n ../../../../victim` named before: <dir>/victim, outside the state root.
      victim = join(dir, 'victim')
      mkdirSync(victim)
      sleep = startSleep()
      writeFileSync(join(victim, 'supervisor.pid'), JSON.stringify({pid: sleep}))
      writeFileSync(join(victim, 'supervisor.log'), 'not ours\n')
      writeFileSync(join(victim, 'state.json'), JSON.stringify({forwards: []}))
    })

    const untouched = () => {
      expect(alive(sleep)).toBe(true)
      expect(readFileSync(join(victim, 'supervisor.log'), 'utf8')).toBe('not ours\n')
      expect(existsSync(join(victim, 'supervisor.pid'))).toBe(true)
      expect(existsSync(join(victim, 'state.json'))).toBe(true)
    }

    it.each([
      ['status (fast path)', ['forward', 'status']],
      ['status --json (fast path)', ['forward', 'status', '--json']],
      ['status (oclif)', ['forward', 'status', '--debug']],
      ['stop', ['forward', 'stop']],
      ['logs', ['forward', 'logs']],
    ])(
      'forward %s refuses -n ../../x and --namespace=../../../../victim (exit 2)',
      async (_, args) => {
        for (const flag of [
          ['-n', '../../x'],
          ['--namespace=../../../../victim'],
          ['-n', '../../../../victim'],
        ]) {
          const run = await cli([...args, ...flag])
          expect(run.code, `${flag.join(' ')}: ${run.stderr}`).toBe(2)
          const output = args.includes('--json') ? run.stdout : run.stderr
          expect(output).toContain('invalid namespace')
          if (!args.includes('--json'))
            expect(run.stderr.trim().split('\n')).toEqual([
              expect.stringMatching(/^Error: invalid namespace "/),
              expect.stringMatching(/^Hint: /),
            ])
          expect(run.stdout).not.toContain('not ours')
        }
        untouched()
      },
    )

    it.each([
      ['status (fast path)', ['forward', 'status']],
      ['status (oclif)', ['forward', 'status', '--debug']],
      ['stop', ['forward', 'stop']],
      ['logs', ['forward', 'logs']],
    ])('forward %s refuses a bad --cluster or --kube-context (exit 2)', async (_, args) => {
      for (const flag of [
        ['--cluster', '../x'],
        ['--kube-context', '../../x'],
        ['--kube-context', '/etc'],
        ['--kube-context', '..'],
      ]) {
        const run = await cli([...args, ...flag])
        expect(run.code, `${flag.join(' ')}: ${run.stderr}`).toBe(2)
        expect(run.stderr).toMatch(/^Error: invalid (cluster name|kube context) /)
      }
      untouched()
    })
  })

  it('a garbled state.json is stale state (exit 3, fast path and oclif); forward stop cleans it', async () => {
    write('state.json', '{"forwards": [')
    for (const args of [
      ['forward', 'status'],
      ['forward', 'status', '--debug'],
    ]) {
      const run = await cli(args)
      expect(run.code, run.stderr).toBe(3)
      expect(run.stderr).toBe(
        `Error: stale forward state: ${file('state.json')} is not valid JSON\nHint: \`geniro-dev forward stop --kube-context kind-geniro-dev -n geniro\` removes it (and stops what is proven to be running)\n`,
      )
    }
    const json = await cli(['forward', 'status', '--json'])
    expect(JSON.parse(json.stdout).error).toMatchObject({kind: 'userError', exitCode: 3})
    const stop = await cli(['forward', 'stop'])
    expect(stop.code).toBe(0)
    expect(stop.stdout).toContain(`Removed unreadable ${file('state.json')}.`)
    const after = await cli(['forward', 'status', '--json'])
    expect(JSON.parse(after.stdout)).toEqual({
      supervisor: {pid: null, running: false},
      forwards: [],
    })
  })

  it('junk in ports.json (port 0, out of range, not a number) is cleaned by forward stop', async () => {
    for (const junk of ['{"api": 0}', '{"api": 70000}', '{"api": "x"}', 'nonsense']) {
      write('ports.json', junk)
      const stop = await cli(['forward', 'stop'])
      expect(stop.code, stop.stderr).toBe(0)
      expect(stop.stdout).toContain(`Removed unreadable ${file('ports.json')}.`)
      expect(existsSync(file('ports.json'))).toBe(false)
    }
    write('ports.json', {api: 15001})
    await cli(['forward', 'stop'])
    expect(JSON.parse(readFileSync(file('ports.json'), 'utf8'))).toEqual({api: 15001})
  })

  it('a directory where the log should be: forward logs exits 3 naming it; forward stop removes it', async () => {
    mkdirSync(file('supervisor.log'))
    const logs = await cli(['forward', 'logs'])
    expect(logs.code).toBe(3)
    expect(logs.stderr).toContain(
      `stale forward state: ${file('supervisor.log')} is a directory, not a file`,
    )
    const stop = await cli(['forward', 'stop'])
    expect(stop.code).toBe(0)
    expect(existsSync(file('supervisor.log'))).toBe(false)
    const again = await cli(['forward', 'logs'])
    expect(again.code).toBe(3)
    expect(again.stderr).toContain('there is no forward log')
  })

  it('an empty lock file is stale at once: forward stop answers in < 5 s', async () => {
    for (const content of ['', '{"pid": ', JSON.stringify({pid: 4_000_000, startTicks: 5})]) {
      write('lock', content)
      const started = Date.now()
      const stop = await cli(['forward', 'stop'])
      expect(stop.code, stop.stderr).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(existsSync(file('lock'))).toBe(false)
    }
  })

  it('forward stop waits for the start lock of a live geniro-dev', async () => {
    // This test process holds the lock, as a `forward` in the middle of a start would.
    write('lock', identity(process.pid))
    const sleep = startSleep()
    write('supervisor.pid', identity(sleep))
    const started = Date.now()
    const stopping = cli(['forward', 'stop', '--json'])
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(existsSync(file('supervisor.pid'))).toBe(true)
    rmSync(file('lock'))
    const stop = await stopping
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500)
    expect(stop.code, stop.stderr).toBe(0)
    expect(existsSync(file('supervisor.pid'))).toBe(false)
    expect(alive(sleep)).toBe(true)
  })

  it('a relative XDG_STATE_HOME is ignored: the state is under ~/.local/state', async () => {
    const home = join(dir, 'home')
    const state = join(home, '.local', 'state', 'geniro-dev', 'forwards', 'kind-geniro-dev@geniro')
    mkdirSync(state, {recursive: true})
    mkdirSync(join(dir, 'relative', 'geniro-dev', 'forwards', 'kind-geniro-dev@geniro'), {
      recursive: true,
    })
    writeFileSync(join(state, 'supervisor.pid'), JSON.stringify({pid: 4_000_000, startTicks: 1}))
    const run = await runCollecting(process.execPath, [BIN, 'forward', 'status', '--json'], {
      cwd: dir,
      env: {HOME: home, PATH: '/nonexistent', XDG_STATE_HOME: 'relative'},
    })
    expect(run.code, run.stderr).toBe(0)
    expect(expectJson('forward-status.schema.json', run.stdout).supervisor).toEqual({
      pid: 4_000_000,
      running: false,
    })
  })
})

describe('forward with a fake cluster', () => {
  let environment: FakeEnvironment
  // Every successful --json run is checked against its command's schema.
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCliChecked(args, {...environment.env, ...extraEnv})
  const forwards = () =>
    join(environment.env.GENIRO_DEV_STATE_DIR!, 'forwards', 'kind-geniro-dev@geniro')
  const supervisorsRunning = () =>
    processesMentioning(environment.env.GENIRO_DEV_STATE_DIR!).filter((p) =>
      p.cmdline.includes('forward-supervisor'),
    )
  /** kubectl calls beyond reading the kubeconfig (the context check of every command). */
  const kubectlCalls = () =>
    environment.calls().filter((call) => call.tool === 'kubectl' && !call.argv.includes('config'))
      .length

  beforeAll(async () => {
    environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    const up = await cli(['up', '--no-forward', '--json'])
    expect(up.code, up.stderr).toBe(0)
  }, 240_000)

  afterEach(async () => {
    await cli(['forward', 'stop'])
    killDecoys()
  })

  afterAll(() => environment?.cleanup())

  it('the supervisor and its kubectl get a minimal environment (no PGPASSWORD)', async () => {
    const run = await cli(['forward', '--json', '--only', 'api'], {
      PGPASSWORD: 'hunter2',
      AWS_SECRET_ACCESS_KEY: 'secret',
      TZ: 'UTC',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      NO_PROXY: 'localhost',
    })
    expect(run.code, run.stderr).toBe(0)
    const pid = JSON.parse(run.stdout).supervisor.pid as number
    const tunnel = await waitFor(
      () => processGroup(pid).find((p) => p.cmdline.includes('port-forward')),
      10_000,
      'the kubectl tunnel',
    )
    for (const processId of [pid, tunnel.pid]) {
      const env = environOf(processId)
      expect(env.PGPASSWORD).toBeUndefined()
      expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined()
      expect(env.DOCKER_HOST).toBeUndefined()
      expect(env).toMatchObject({
        PATH: environment.env.PATH,
        HOME: environment.env.HOME,
        KUBECONFIG: environment.env.KUBECONFIG,
        TZ: 'UTC',
        LANG: 'C.UTF-8',
        LC_ALL: 'C.UTF-8',
        NO_PROXY: 'localhost',
      })
      const unexpected = Object.keys(env).filter(
        (name) =>
          !SUPERVISOR_ENV.has(name) && !name.startsWith('LC_') && !name.startsWith('GENIRO_'),
      )
      expect(unexpected, `pid ${processId}`).toEqual([])
    }
  })

  it('a pidfile naming a live process that is not ours: forward starts a supervisor and leaves it alive', async () => {
    const sleep = startSleep()
    mkdirSync(forwards(), {recursive: true})
    writeFileSync(join(forwards(), 'supervisor.pid'), JSON.stringify(identity(sleep)))
    const run = await cli(['forward', '--json', '--only', 'api'])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result.alreadyRunning).toBe(false)
    expect(result.staleCleaned).toBe(sleep)
    expect(result.supervisor.pid).not.toBe(sleep)
    expect(alive(sleep)).toBe(true)
    expect(supervisorsRunning()).toHaveLength(1)
  })

  it('forward stop during a start waits for it, then stops the new supervisor', async () => {
    const starting = cli(['forward', '--json', '--only', 'api'])
    await waitFor(() => existsSync(join(forwards(), 'lock')), 30_000, 'the start lock')
    const stop = await cli(['forward', 'stop', '--json'])
    const start = await starting
    expect(start.code, start.stderr).toBe(0)
    expect(stop.code, stop.stderr).toBe(0)
    expect(JSON.parse(stop.stdout)).toEqual({
      stopped: true,
      pid: JSON.parse(start.stdout).supervisor.pid,
    })
    await waitFor(() => supervisorsRunning().length === 0, 5_000, 'no supervisor')
  })

  it('junk in ports.json fails forward with exit 3 before any port-forward; stop cleans it', async () => {
    mkdirSync(forwards(), {recursive: true})
    writeFileSync(join(forwards(), 'ports.json'), '{"api": 0}')
    const before = kubectlCalls()
    const run = await cli(['forward', '--only', 'api'])
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`stale forward state: ${join(forwards(), 'ports.json')}`)
    expect(run.stderr).toContain('forward stop')
    expect(kubectlCalls()).toBe(before)
    expect(supervisorsRunning()).toHaveLength(0)
    expect((await cli(['forward', 'stop'])).code).toBe(0)
    const again = await cli(['forward', '--json', '--only', 'api'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout).forwards[0].localPort).toBe(15000)
  })

  it('an unusable GENIRO_DEV_STATE_DIR (a file in the way) fails forward with exit 3 before kubectl asks the cluster', async () => {
    const blocker = join(environment.dir, 'blocker')
    writeFileSync(blocker, '')
    const before = kubectlCalls()
    const run = await cli(['forward', '--only', 'api'], {GENIRO_DEV_STATE_DIR: blocker})
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`the state directory ${join(blocker, 'forwards')}`)
    expect(run.stderr).toContain('is not usable (a file is in the way)')
    expect(kubectlCalls()).toBe(before)
    expect(supervisorsRunning()).toHaveLength(0)
  })
})
