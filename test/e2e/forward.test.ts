/**
 * `forward`, `forward status|stop|logs` as a user runs them (bin/run.js). Everything is real
 * (processes, sockets, signals, the Docker engine, Compose) except kubectl's cluster side:
 * the fake `kubectl port-forward` really listens and relays TCP to a test server here.
 */
import {spawn} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer, connect, type Server} from 'node:net'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processGroup, processTable, processesMentioning, waitFor} from '../support/processes.js'
import {BIN} from '../support/run-cli.js'
import {runCliChecked} from '../support/schemas.js'

let environment: FakeEnvironment
let backend: Server
let backendPort: number

/** A pod's answer: `pong <n>` for every line received. */
function startBackend(): Promise<void> {
  backend = createServer((socket) => {
    socket.on('error', () => socket.destroy())
    socket.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        socket.write(`pong ${line}\n`)
      }
    })
  })
  return new Promise((resolve) =>
    backend.listen({host: '127.0.0.1', port: 0}, () => {
      backendPort = (backend.address() as {port: number}).port
      resolve()
    }),
  )
}

/** Runs the CLI; every successful --json run is checked against its command's schema. */
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCliChecked(args, {...environment.env, ...extraEnv})

const stateRoot = () => environment.env.GENIRO_DEV_STATE_DIR!

/** Fake port-forwards now running for a target, from the fake's registry. */
function tunnels(target = 'svc/geniro-api'): Array<{pid: number; ports: Array<{local: number}>}> {
  const dir = join(environment.stateDir, 'port-forwards')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      try {
        return JSON.parse(readFileSync(join(dir, file), 'utf8'))
      } catch {
        return undefined
      }
    })
    .filter((entry) => entry && entry.target === target && alive(entry.pid))
}

/** A tunnel killed with SIGKILL (stale-state cleanup) cannot remove its registry file. */
function alive(pid: number): boolean {
  return processTable().some((entry) => entry.pid === pid)
}

/** One request through the stable port: resolves with the answer, or rejects with the socket error. */
function ask(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let answer = ''
    socket.setTimeout(5_000, () => socket.destroy(new Error('timeout')))
    socket.once('connect', () => socket.write(`${line}\n`))
    socket.on('data', (chunk) => {
      answer += chunk.toString()
      if (answer.endsWith('\n')) {
        socket.end()
        resolve(answer.trim())
      }
    })
    socket.once('error', reject)
    socket.once('close', () => reject(new Error(`closed without an answer (${answer})`)))
  })
}

async function forwardJson(args: string[] = []) {
  const run = await cli(['forward', '--json', ...args])
  expect(run.code, run.stderr + run.stdout).toBe(0)
  return JSON.parse(run.stdout)
}

async function statusJson() {
  const run = await cli(['forward', 'status', '--json'])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout)
}

function supervisorsRunning() {
  return processesMentioning(stateRoot()).filter((p) => p.cmdline.includes('forward-supervisor'))
}

beforeAll(async () => {
  environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
  const up = await cli(['up', '--no-forward', '--json'])
  expect(up.code, up.stderr).toBe(0)
  await startBackend()
  writeFileSync(
    join(environment.stateDir, 'port-forward-backends.json'),
    JSON.stringify({'geniro/geniro-api': {host: '127.0.0.1', port: backendPort}}),
  )
}, 240_000)

afterEach(async () => {
  await cli(['forward', 'stop'])
})

afterAll(() => {
  backend?.close()
  environment?.cleanup()
})

describe('geniro-dev forward', () => {
  it('starts a detached supervisor, reports every forward ready, relays, and stops with no orphans', async () => {
    const started = await forwardJson()
    expect(started.alreadyRunning).toBe(false)
    expect(started.supervisor.running).toBe(true)
    const names = started.forwards.map((f: {name: string}) => f.name)
    expect(names).toEqual(['api', 'web', 'litellm', 'keycloak', 'postgresql', 'redis', 'qdrant'])
    expect(started.forwards.every((f: {state: string}) => f.state === 'ready')).toBe(true)

    // Its own process group: the supervisor leads it, one kubectl per forward inside.
    const pid = started.supervisor.pid as number
    const group = processGroup(pid)
    expect(group.find((p) => p.pid === pid)?.cmdline).toContain('forward-supervisor')
    expect(group.filter((p) => p.cmdline.includes('port-forward'))).toHaveLength(7)

    expect(await ask(15000, 'hello')).toBe('pong hello')

    const status = await statusJson()
    expect(Object.keys(status)).toEqual(['supervisor', 'forwards'])
    expect(status.supervisor).toEqual({pid, running: true})
    expect(status.forwards[0]).toMatchObject({
      name: 'api',
      localPort: 15000,
      remotePort: 5000,
      target: 'svc/geniro-api',
      state: 'ready',
      restarts: 0,
    })

    const again = await forwardJson()
    expect(again.alreadyRunning).toBe(true)
    expect(again.supervisor.pid).toBe(pid)
    expect(supervisorsRunning()).toHaveLength(1)

    const stop = await cli(['forward', 'stop', '--json'])
    expect(JSON.parse(stop.stdout)).toEqual({stopped: true, pid})
    await waitFor(() => processGroup(pid).length === 0, 5_000, 'the process group to be gone')
    expect(processesMentioning(environment.dir)).toEqual([])
    expect(await statusJson()).toEqual({supervisor: {pid: null, running: false}, forwards: []})
    const twice = await cli(['forward', 'stop'])
    expect(twice.code).toBe(0)
    expect(twice.stdout).toContain('No forwards were running')

    const logs = await cli(['forward', 'logs'])
    expect(logs.stdout).toMatch(/api: ready, 127\.0\.0\.1:15000 -> svc\/geniro-api:5000/)
    expect(logs.stdout).toContain(`supervisor ${pid} stopped`)
  })

  it('survives 20 tunnel deaths with a client hammering the port: 0 refused, every request answered', async () => {
    await forwardJson(['--only', 'api'])
    let refused = 0
    let answered = 0
    let retried = 0
    let stop = false
    const hammer = (async () => {
      for (let n = 0; !stop; n++) {
        // A reset mid-request is retried, as a client retries an idempotent request.
        for (;;) {
          try {
            expect(await ask(15000, `r${n}`)).toBe(`pong r${n}`)
            answered++
            break
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') refused++
            retried++
          }
        }
      }
    })()
    for (let death = 0; death < 20; death++) {
      const [tunnel] = await waitFor(() => {
        const now = tunnels()
        return now.length === 1 ? now : false
      })
      const before = answered
      process.kill(tunnel!.pid, 'SIGUSR1')
      await waitFor(
        () => tunnels().some((entry) => entry.pid !== tunnel!.pid),
        10_000,
        'a new tunnel',
      )
      await waitFor(() => answered > before + 3, 10_000, 'requests through the new tunnel')
      // A tunnel that served for a while restarts at once; keep the deaths apart like pod restarts.
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
    stop = true
    await hammer
    expect(refused).toBe(0)
    expect(answered).toBeGreaterThan(100)
    const status = await statusJson()
    expect(status.forwards[0].restarts).toBe(20)
    expect(status.forwards[0].state).toBe('ready')
    expect(retried).toBeLessThan(answered)
  }, 120_000)

  it('detects a supervisor killed with -9 as stale and recovers on the next start', async () => {
    const first = await forwardJson(['--only', 'api,web'])
    const pid = first.supervisor.pid as number
    const orphans = processGroup(pid).filter((p) => p.cmdline.includes('port-forward'))
    expect(orphans).toHaveLength(2)
    process.kill(pid, 'SIGKILL')
    await waitFor(
      () => !processGroup(pid).some((p) => p.pid === pid),
      5_000,
      'the supervisor to die',
    )

    const stale = await statusJson()
    expect(stale.supervisor).toEqual({pid, running: false})
    expect(stale.forwards.every((f: {state: string}) => f.state === 'failed')).toBe(true)

    const second = await forwardJson(['--only', 'api,web'])
    expect(second.staleCleaned).toBe(pid)
    expect(second.supervisor.pid).not.toBe(pid)
    expect(processGroup(pid)).toEqual([])
    expect(await ask(15000, 'after')).toBe('pong after')
  })

  it('two concurrent starts leave exactly one supervisor', async () => {
    const [a, b] = await Promise.all([
      cli(['forward', '--json', '--only', 'api']),
      cli(['forward', '--json', '--only', 'api']),
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    const results = [JSON.parse(a.stdout), JSON.parse(b.stdout)]
    expect(results.map((r) => r.alreadyRunning).sort()).toEqual([false, true])
    expect(results[0].supervisor.pid).toBe(results[1].supervisor.pid)
    expect(supervisorsRunning()).toHaveLength(1)
  })

  it('a port held by a real listener fails naming the holder; --next-free moves and keeps the port', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen({host: '127.0.0.1', port: 15000}, resolve))
    try {
      const refused = await cli(['forward', '--only', 'api'])
      expect(refused.code).toBe(3)
      expect(refused.stderr).toContain('port 15000 for api is taken')
      expect(refused.stderr).toContain(`(pid ${process.pid})`)
      expect(refused.stderr).toMatch(/Hint: .*--next-free/)
      expect(supervisorsRunning()).toHaveLength(0)

      const moved = await forwardJson(['--only', 'api', '--next-free'])
      expect(moved.moved).toEqual([{name: 'api', from: 15000, to: 15001}])
      expect(moved.forwards[0].localPort).toBe(15001)
      expect(await ask(15001, 'moved')).toBe('pong moved')
      await cli(['forward', 'stop'])

      // Kept for this cluster: the next start uses it without --next-free.
      const kept = await forwardJson(['--only', 'api'])
      expect(kept.forwards[0].localPort).toBe(15001)
    } finally {
      holder.close()
    }
  })

  // SIGHUP is a closed terminal, SIGTERM a process manager: each cleans up as Ctrl-C does.
  it.each(['SIGINT', 'SIGHUP', 'SIGTERM'] as const)(
    '--foreground runs attached and cleans up completely on %s',
    async (signal) => {
      const child = spawn(process.execPath, [BIN, 'forward', '--foreground', '--only', 'api'], {
        env: {...environment.env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk.toString()))
      await waitFor(() => stderr.includes('Ctrl-C stops'), 30_000, 'the foreground forwards')
      const status = await statusJson()
      expect(status.supervisor).toEqual({pid: child.pid, running: true})
      // Running, it holds no start lock: a second start reports it at once.
      const second = await forwardJson(['--only', 'api', '--timeout', '5s'])
      expect(second).toMatchObject({alreadyRunning: true, supervisor: {pid: child.pid}})
      expect(await ask(status.forwards[0].localPort, 'fg')).toBe('pong fg')
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
      child.kill(signal)
      expect(await exited).toBe(0)
      expect(tunnels()).toEqual([])
      expect(
        processesMentioning(environment.dir).filter((p) => p.cmdline.includes('port-forward')),
      ).toEqual([])
      expect(await statusJson()).toEqual({supervisor: {pid: null, running: false}, forwards: []})
    },
  )
})
