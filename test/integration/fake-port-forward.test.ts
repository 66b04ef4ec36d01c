/**
 * `kubectl port-forward` of the kubectl fake (test/fakes/lib/kubectl-port-forward.mjs): resolved
 * against a fake cluster the fake helm installed the chart into, bound for real on loopback,
 * relaying to backends the test starts, with kubectl 1.34's words. Flag errors are compared
 * with the real kubectl, which produces them offline.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, inject, it} from 'vitest'
import {CHART_DIR} from '../support/helm.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {runCollecting, type CliRun} from '../support/run-cli.js'
import {TOOLS} from '../support/toolchain.js'

const CLUSTER = 'gd-pf'
const NS = 'gd-pf'
const CTX = ['--context', `kind-${CLUSTER}`, '-n', NS]
/** Release `geniro`: the chart's fullname is the release name, so Services are geniro-<component>. */
const API = 'geniro-api'
const KEYCLOAK = 'geniro-keycloak'

let env: FakeEnvironment

interface Forward {
  pid: number
  stdout(): string
  stderr(): string
  /** Resolves with the match once stdout matches; rejects if the process ends first. */
  waitForStdout(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  running(): boolean
}

const forwards: Array<{child: ChildProcess; forward: Forward}> = []
const servers: net.Server[] = []
const sockets: net.Socket[] = []

/** Starts the fake `kubectl port-forward ARGS` in the background. */
function startForward(args: string[], extraEnv: Record<string, string> = {}): Forward {
  const child = spawn(path.join(env.binDir, 'kubectl'), ['port-forward', ...args], {
    env: {...env.env, ...extraEnv},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let done = false
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const l of listeners) l()
  }
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    notify()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    notify()
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('close', (code, signal) => {
      done = true
      notify()
      resolve({code, signal})
    }),
  )
  const forward: Forward = {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => !done,
    exited,
    waitForStdout: (pattern, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check)
          reject(new Error(`timed out waiting for ${pattern}; stdout=${stdout} stderr=${stderr}`))
        }, ms)
        function check(): void {
          const match = pattern.exec(stdout)
          if (match || done) {
            clearTimeout(timer)
            listeners.delete(check)
            if (match) resolve(match)
            else reject(new Error(`exited before ${pattern}; stdout=${stdout} stderr=${stderr}`))
          }
        }
        listeners.add(check)
        check()
      }),
  }
  forwards.push({child, forward})
  return forward
}

/** A one-shot fake call, without blocking this process's servers. */
function fake(args: string[]): Promise<CliRun> {
  return runCollecting(path.join(env.binDir, 'kubectl'), args, {env: env.env, timeout: 30_000})
}

/** The real kubectl with the same kubeconfig (flag errors never reach a server). */
function real(args: string[]): CliRun {
  const result = spawnSync(TOOLS.kubectl134, args, {
    env: {HOME: env.home, KUBECONFIG: env.kubeconfig, PATH: '/usr/bin:/bin'},
    encoding: 'utf8',
  })
  return {code: result.status, stdout: result.stdout, stderr: result.stderr}
}

function serve(handler: (socket: net.Socket) => void, allowHalfOpen = false): Promise<number> {
  const server = net.createServer({allowHalfOpen}, (socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    handler(socket)
  })
  servers.push(server)
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
}

/** Echoes, and after the client's half-close says "bye" before closing its side. */
const echoServer = (): Promise<number> =>
  serve((socket) => {
    socket.on('data', (chunk) => socket.write(chunk))
    socket.on('end', () => socket.end('bye'))
  }, true)

/** A port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Sends payload, half-closes, and collects everything until the peer closes. */
function exchange(port: number, payload: string | Buffer, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = net.connect({port, host, allowHalfOpen: true}, () => socket.end(payload))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks)))
    socket.on('error', reject)
  })
}

function setBackends(backends: Record<string, {host: string; port: number}>): void {
  writeFileSync(path.join(env.stateDir, 'port-forward-backends.json'), JSON.stringify(backends))
}

const registryFile = (pid: number): string =>
  path.join(env.stateDir, 'port-forwards', `${pid}.json`)

beforeAll(async () => {
  env = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
  const created = await runCollecting(
    path.join(env.binDir, 'kind'),
    ['create', 'cluster', '--name', CLUSTER],
    {env: env.env},
  )
  expect(created.code, created.stderr).toBe(0)
  const installed = await runCollecting(
    path.join(env.binDir, 'helm'),
    [
      'upgrade',
      '--install',
      'geniro',
      CHART_DIR,
      '--kube-context',
      `kind-${CLUSTER}`,
      '-n',
      NS,
      '--create-namespace',
    ],
    {env: env.env},
  )
  expect(installed.code, installed.stderr).toBe(0)
})

afterEach(async () => {
  for (const {child, forward} of forwards.splice(0)) {
    if (!forward.running()) continue
    process.kill(child.pid!, 'SIGINT')
    const stopped = await Promise.race([
      forward.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
    ])
    if (!stopped) process.kill(child.pid!, 'SIGKILL')
  }
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  )
  env.failRelease(null)
  rmSync(path.join(env.stateDir, 'port-forward-backends.json'), {force: true})
})

afterAll(() => env?.cleanup())

describe('kubectl port-forward fake', () => {
  it('forwards svc :5000 on 127.0.0.1 from an ephemeral port, relaying both ways with half-close', async () => {
    const echo = await echoServer()
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: echo}})
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX])
    const [, portText] = await pf.waitForStdout(/^Forwarding from 127\.0\.0\.1:(\d+) -> 5000\n/)
    const port = Number(portText)
    // The registry exists by the time the line is printed.
    const registry = JSON.parse(readFileSync(registryFile(pf.pid), 'utf8')) as Record<
      string,
      unknown
    >
    expect(registry).toMatchObject({
      pid: pf.pid,
      argv: ['port-forward', `svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX],
      context: `kind-${CLUSTER}`,
      namespace: NS,
      target: `svc/${API}`,
      ports: [{local: port, remote: 5000, address: '127.0.0.1'}],
    })
    expect(port).toBeGreaterThan(0)

    expect((await exchange(port, 'hello through the tunnel')).toString()).toBe(
      'hello through the tunnelbye',
    )
    const big = Buffer.alloc(3 * 1024 * 1024, 7)
    expect((await exchange(port, big)).equals(Buffer.concat([big, Buffer.from('bye')]))).toBe(true)
    await pf.waitForStdout(
      new RegExp(`Handling connection for ${port}\\n[^]*Handling connection for ${port}\\n`),
    )
    expect(pf.stdout()).toBe(
      `Forwarding from 127.0.0.1:${port} -> 5000\nHandling connection for ${port}\nHandling connection for ${port}\n`,
    )

    process.kill(pf.pid, 'SIGINT')
    expect(await pf.exited).toEqual({code: 0, signal: null})
    expect(pf.stderr()).toBe('')
    expect(existsSync(registryFile(pf.pid))).toBe(false)
    const calls = env.calls().filter((c) => c.tool === 'kubectl' && c.argv[0] === 'port-forward')
    expect(calls.map((c) => [c.argv.join(' '), c.mutating])).toContainEqual([
      ['port-forward', `svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX].join(' '),
      false,
    ])
  })

  it('binds LOCAL:REMOTE on 127.0.0.1 and ::1 by default, on the same port', async () => {
    const echo = await echoServer()
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: echo}})
    const local = await freePort()
    const pf = startForward([`service/${API}`, `${local}:5000`, ...CTX])
    await pf.waitForStdout(/\[::1\]/)
    expect(pf.stdout()).toBe(
      `Forwarding from 127.0.0.1:${local} -> 5000\nForwarding from [::1]:${local} -> 5000\n`,
    )
    const registry = JSON.parse(readFileSync(registryFile(pf.pid), 'utf8')) as {ports: unknown}
    expect(registry.ports).toEqual([
      {local, remote: 5000, address: '127.0.0.1'},
      {local, remote: 5000, address: '::1'},
    ])
    expect((await exchange(local, 'v4')).toString()).toBe('v4bye')
    expect((await exchange(local, 'v6', '::1')).toString()).toBe('v6bye')

    // SIGTERM is not handled by kubectl: it dies by it (the fake cleans up first).
    process.kill(pf.pid, 'SIGTERM')
    expect(await pf.exited).toEqual({code: null, signal: 'SIGTERM'})
    expect(existsSync(registryFile(pf.pid))).toBe(false)
  })

  it('translates a named service port to the pod’s targetPort, as kubectl prints it', async () => {
    const echo = await echoServer()
    setBackends({[`${NS}/${KEYCLOAK}`]: {host: '127.0.0.1', port: echo}})
    // Service port 80 is named http; its targetPort `http` is the container's 8080.
    const bySvc = startForward([`svc/${KEYCLOAK}`, ':http', '--address', '127.0.0.1', ...CTX])
    const [, svcPort] = await bySvc.waitForStdout(/^Forwarding from 127\.0\.0\.1:(\d+) -> 8080\n/)
    expect((await exchange(Number(svcPort), 'named')).toString()).toBe('namedbye')
    // `80` alone listens on 80 locally, forwarding to 8080 (kubectl's translated "80:8080").
    const byNumber = startForward([
      `svc/${KEYCLOAK}`,
      `${await freePort()}:80`,
      '--address',
      '127.0.0.1',
      ...CTX,
    ])
    await byNumber.waitForStdout(/ -> 8080\n/)
    // A workload's container port by name, and the pod itself.
    const byDeploy = startForward([
      `deployment/${KEYCLOAK}`,
      ':management',
      '--address=127.0.0.1',
      ...CTX,
    ])
    await byDeploy.waitForStdout(/^Forwarding from 127\.0\.0\.1:\d+ -> 9000\n/)
    const pods = JSON.parse(
      (
        await fake([
          'get',
          'pods',
          ...CTX,
          '-l',
          'app.kubernetes.io/component=keycloak',
          '-o',
          'json',
        ])
      ).stdout,
    ) as {items: Array<{metadata: {name: string}}>}
    const podName = pods.items[0]!.metadata.name
    const byPod = startForward([podName, ':http', '--address', '127.0.0.1', ...CTX])
    await byPod.waitForStdout(/^Forwarding from 127\.0\.0\.1:\d+ -> 8080\n/)
    const registry = JSON.parse(readFileSync(registryFile(byPod.pid), 'utf8')) as Record<
      string,
      unknown
    >
    expect(registry).toMatchObject({target: `pod/${podName}`, pod: podName})
  })

  it('answers a missing service, port or pod with kubectl’s errors', async () => {
    expect(await fake(['port-forward', 'svc/nope', ':5000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): services "nope" not found\n',
    })
    expect(await fake(['port-forward', 'deploy/nope', '5000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    })
    expect(await fake(['port-forward', 'nope', '5000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): pods "nope" not found\n',
    })
    expect(await fake(['port-forward', `svc/${API}`, ':grpc', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: Service '${API}' does not have a named port 'grpc'\n`,
    })
    expect(await fake(['port-forward', `svc/${API}`, '6000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: Service ${API} does not have a service port 6000\n`,
    })
    expect(await fake(['port-forward', `svc/${API}`, 'abc:5000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: error parsing local port \'abc\': strconv.ParseUint: parsing "abc": invalid syntax\n',
    })
    expect(
      await fake(['port-forward', `svc/${API}`, ':5000', '--address', 'example', ...CTX]),
    ).toEqual({code: 1, stdout: '', stderr: 'error: example is not a valid IP\n'})
  })

  it.each([
    [['port-forward', `svc/${API}`]],
    [['port-forward', `svc/${API}`, ':5000', '--bogus']],
    [['port-forward', '-x', `svc/${API}`, ':5000']],
    [['port-forward', `svc/${API}`, ':5000', '--pod-running-timeout=soon']],
    [['port-forward', `svc/${API}`, ':5000', '--pod-running-timeout=0s']],
    [['port-forward', `svc/${API}`, ':5000', '--address']],
    [['port-forward', 'svc/', ':5000']],
    [['port-forward', 'svc/a/b', ':5000']],
  ])('fails like the real kubectl, offline: %j', (args) => {
    const expected = real([...args.slice(0, 1), ...CTX, ...args.slice(1)])
    expect(expected.code).toBe(1)
    expect(expected.stderr).toMatch(/^error: /)
    return fake([...args.slice(0, 1), ...CTX, ...args.slice(1)]).then((mine) =>
      expect(mine).toEqual(expected),
    )
  })

  it('cannot listen on a port in use, in kubectl’s words', async () => {
    const held = await freePort()
    const holder = net.createServer()
    servers.push(holder)
    await new Promise<void>((resolve) => holder.listen(held, '127.0.0.1', resolve))
    const pf = startForward([`svc/${API}`, `${held}:5000`, '--address', '127.0.0.1', ...CTX])
    expect(await pf.exited).toEqual({code: 1, signal: null})
    expect(pf.stdout()).toBe('')
    expect(pf.stderr()).toBe(
      `Unable to listen on port ${held}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:${held}: bind: address already in use]\n` +
        `error: unable to listen on any of the requested ports: [{${held} 5000}]\n`,
    )
    expect(existsSync(registryFile(pf.pid))).toBe(false)
    // With the default addresses, ::1 alone is enough (kubectl's "all" failure mode).
    const partial = startForward([`svc/${API}`, `${held}:5000`, ...CTX])
    await partial.waitForStdout(/^Forwarding from \[::1\]:\d+ -> 5000\n/)
    expect(partial.stderr()).toBe('')
  })

  it('dies on SIGUSR1 as when the pod goes away: lost connection, exit 1, registry gone', async () => {
    const echo = await echoServer()
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: echo}})
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX])
    const [, portText] = await pf.waitForStdout(/127\.0\.0\.1:(\d+) -> 5000\n/)
    // A connection in flight when the pod goes.
    const client = net.connect({port: Number(portText), host: '127.0.0.1'})
    client.on('error', () => {})
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    client.write('ping')
    await new Promise<void>((resolve) => client.once('data', () => resolve()))
    process.kill(pf.pid, 'SIGUSR1')
    expect(await pf.exited).toEqual({code: 1, signal: null})
    await closed
    expect(pf.stderr()).toMatch(
      new RegExp(
        `^E\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} +${pf.pid} portforward\\.go:\\d+\\] "Unhandled Error" err="an error occurred forwarding ${portText} -> 5000: error forwarding port 5000 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"/var/run/netns/cni-[0-9a-f-]{36}\\\\": read tcp4 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:5000: read: connection reset by peer"\\n`,
      ),
    )
    expect(pf.stderr()).toMatch(/\nerror: lost connection to pod\n$/)
    expect(existsSync(registryFile(pf.pid))).toBe(false)
  })

  it('ends a connection at once when no backend is set, and keeps forwarding', async () => {
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX])
    const [, portText] = await pf.waitForStdout(/127\.0\.0\.1:(\d+) -> 5000\n/)
    expect((await exchange(Number(portText), 'anyone?')).length).toBe(0)
    const echo = await echoServer()
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: echo}})
    expect((await exchange(Number(portText), 'now')).toString()).toBe('nowbye')
    expect(pf.running()).toBe(true)
    expect(pf.stderr()).toBe('')
  })

  it('gives up, as kubectl 1.34 does, when the pod refuses the connection', async () => {
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: await freePort()}})
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX])
    const [, portText] = await pf.waitForStdout(/127\.0\.0\.1:(\d+) -> 5000\n/)
    expect((await exchange(Number(portText), 'knock')).length).toBe(0)
    expect(await pf.exited).toEqual({code: 1, signal: null})
    expect(pf.stdout()).toContain(`Handling connection for ${portText}\n`)
    expect(pf.stderr()).toMatch(
      new RegExp(
        `^E\\d{4} [\\d:.]+ +${pf.pid} portforward\\.go:424\\] "Unhandled Error" err="an error occurred forwarding ${portText} -> 5000: error forwarding port 5000 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\\\"/var/run/netns/cni-[0-9a-f-]{36}\\\\": failed to connect to localhost:5000 inside namespace \\\\"[0-9a-f]{64}\\\\", IPv4: dial tcp4 127\\.0\\.0\\.1:5000: connect: connection refused IPv6 dial tcp6 \\[::1\\]:5000: connect: connection refused "\\nerror: lost connection to pod\\n$`,
      ),
    )
  })

  it('refuses a pod that is not running (failRelease), and a crash-looping one at connect', async () => {
    env.failRelease({component: 'api', reason: 'ImagePullBackOff', message: 'pull failed'})
    expect(await fake(['port-forward', `svc/${API}`, ':5000', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unable to forward port because pod is not running. Current status=Pending\n',
    })
    // CrashLoopBackOff keeps the pod Running (not ready): kubectl forwards, the pod refuses.
    env.failRelease({component: 'api', reason: 'CrashLoopBackOff'})
    const echo = await echoServer()
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: echo}})
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX])
    const [, portText] = await pf.waitForStdout(/127\.0\.0\.1:(\d+) -> 5000\n/)
    expect((await exchange(Number(portText), 'x')).length).toBe(0)
    expect(await pf.exited).toEqual({code: 1, signal: null})
    expect(pf.stderr()).toMatch(/connect: connection refused "\nerror: lost connection to pod\n$/)
  })

  it('waits --pod-running-timeout for a pod, and refuses a Service without a selector', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gdev-pf-svc-'))
    const manifest = path.join(dir, 'svc.yaml')
    writeFileSync(
      manifest,
      [
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: lonely\nspec:\n  selector:\n    app: nobody\n  ports:\n  - port: 80\n',
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: bare\nspec:\n  ports:\n  - port: 80\n',
      ].join('---\n'),
    )
    try {
      expect((await fake(['apply', '-f', manifest, ...CTX])).code).toBe(0)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
    const started = Date.now()
    expect(
      await fake(['port-forward', 'svc/lonely', ':80', '--pod-running-timeout=1s', ...CTX]),
    ).toEqual({code: 1, stdout: '', stderr: 'error: timed out waiting for the condition\n'})
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(await fake(['port-forward', 'svc/bare', ':80', ...CTX])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "error: cannot attach to *v1.Service: invalid service 'bare': Service is defined without a selector\n",
    })
  })

  it('throttles to GENIRO_FAKE_PORT_FORWARD_RATE bytes per second per direction', async () => {
    const size = 1024 * 1024
    const payload = Buffer.alloc(size, 3)
    const source = await serve((socket) => socket.end(payload))
    setBackends({[`${NS}/${API}`]: {host: '127.0.0.1', port: source}})
    const pf = startForward([`svc/${API}`, ':5000', '--address', '127.0.0.1', ...CTX], {
      GENIRO_FAKE_PORT_FORWARD_RATE: String(4 * 1024 * 1024),
    })
    const [, portText] = await pf.waitForStdout(/127\.0\.0\.1:(\d+) -> 5000\n/)
    const started = performance.now()
    const received = await exchange(Number(portText), '')
    const elapsed = performance.now() - started
    expect(received.equals(payload)).toBe(true)
    expect(elapsed).toBeGreaterThanOrEqual(200)
    expect(elapsed).toBeLessThan(5000)
  })
})
