// Forward benchmarks against the fakes (test/fakes): the supervisor of `geniro-dev forward`
// in front of the fake `kubectl port-forward`, which really relays TCP to a server in this
// process. Every figure is compared with a baseline measured in this process, interleaved:
//   1. recovery: SIGUSR1 to the tunnel (the pod goes) until a new connection through the
//      stable port is answered again, against a fresh fake kubectl's spawn to first answer;
//   2. relay throughput (fake throttled to 32 MiB/s, like a kubectl tunnel) and added latency
//      per small request, through the supervisor against the tunnel's own port;
//   3. the supervisor's RSS after start and after the throughput runs;
//   4. `forward status --json` wall time against `node -e 0`.
// Run by `npm run bench` after bench-cluster.ts; needs a build (npm run build). Uses the
// Docker engine at $GENIRO_TEST_DOCKER_HOST when set, else starts a private one (root).
//
//   npx tsx scripts/bench-forward.ts
//   (BENCH_RECOVERY_RUNS=21 BENCH_THROUGHPUT_RUNS=7 BENCH_LATENCY_RUNS=300 BENCH_RUNS=21)
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {portForwardArgs, type ForwardStatus} from '../src/core/forward-plan.js'
import {PrivateDockerd} from '../test/support/dockerd.js'
import {fakeEnvironment, type FakeEnvironment} from '../test/support/fake-env.js'
import {waitFor} from '../test/support/processes.js'
import {runCli} from '../test/support/run-cli.js'

const RECOVERY_RUNS = Number(process.env.BENCH_RECOVERY_RUNS ?? 21)
const THROUGHPUT_RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? 7)
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 300)
const START_RUNS = Number(process.env.BENCH_RUNS ?? 21)
/** The fake cluster's name: its node container is <cluster>-control-plane on the engine. */
const CLUSTER = process.env.GENIRO_DEV_CLUSTER || 'bench-fwd'
/** The supervisor's stable port for api (not the default 15000, which tests use). */
const LOCAL_PORT = Number(process.env.BENCH_FORWARD_PORT ?? 25000)
/** A kubectl-like tunnel: 32 MiB/s each way. */
const RATE = 32 * 1024 * 1024
const BULK_BYTES = 64 * 1024 * 1024
/** The supervisor restarts at once only after a tunnel served >= 1 s (tunnelBackoffMs). */
const DEATH_SPACING_MS = 1_500
const MiB = 1024 * 1024

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
if (!existsSync(new URL('../oclif.manifest.json', import.meta.url))) {
  console.error('bench-forward: run `npm run build` first')
  process.exit(2)
}

// ---------------------------------------------------------------- statistics

const sorted = (values: number[]) => [...values].sort((a, b) => a - b)
const median = (values: number[]) => {
  const s = sorted(values)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
/** Nearest rank. */
const percentile = (values: number[], p: number) => {
  const s = sorted(values)
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!
}
const ms = (value: number) => `${value.toFixed(1)} ms`
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay))

// ---------------------------------------------------------------- the pod: a server here

/** `bulk N` answers N bytes and ends; any other line is answered `pong LINE`. */
const sockets = new Set<Socket>()
const CHUNK = Buffer.alloc(256 * 1024, 0x2e)

function sendBulk(socket: Socket, total: number): void {
  let left = total
  const more = () => {
    while (left > 0 && !socket.destroyed) {
      const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left)
      left -= piece.length
      if (!socket.write(piece)) return void socket.once('drain', more)
    }
    socket.end()
  }
  more()
}

function startBackend(): Promise<{server: Server; port: number}> {
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let pending = ''
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1')
      for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n')) {
        const line = pending.slice(0, at)
        pending = pending.slice(at + 1)
        const bulk = /^bulk (\d+)$/.exec(line)
        if (bulk) return sendBulk(socket, Number(bulk[1]))
        socket.write(`pong ${line}\n`)
      }
      return undefined
    })
  })
  return new Promise((resolve) =>
    server.listen({host: '127.0.0.1', port: 0}, () =>
      resolve({server, port: (server.address() as {port: number}).port}),
    ),
  )
}

// ---------------------------------------------------------------- clients

/** One request on a new connection: resolves with the answer line. */
function ask(port: number, line: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    let answer = ''
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('timeout')))
    socket.once('connect', () => socket.write(`${line}\n`))
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
      if (answer.endsWith('\n')) {
        socket.destroy()
        resolve(answer.trim())
      }
    })
    socket.once('error', reject)
    socket.once('close', () => reject(new Error(`closed without an answer (${answer})`)))
  })
}

/** Downloads `bytes` from the backend through `port`: wall ms from connect to the end. */
function download(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const socket = connect({host: '127.0.0.1', port})
    let received = 0
    socket.setTimeout(60_000, () => socket.destroy(new Error('timeout')))
    socket.once('connect', () => socket.write(`bulk ${bytes}\n`))
    socket.on('data', (chunk: Buffer) => (received += chunk.length))
    socket.once('end', () => {
      const took = elapsedMs(started)
      socket.destroy()
      if (received === bytes) resolve(took)
      else reject(new Error(`received ${received} of ${bytes} bytes through port ${port}`))
    })
    socket.once('error', reject)
  })
}

/** A kept-open connection for request/response round trips. */
async function openConnection(port: number) {
  const socket = connect({host: '127.0.0.1', port})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.on('error', () => {})
  let waiting: ((line: string) => void) | undefined
  let pending = ''
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const at = pending.indexOf('\n')
    if (at >= 0 && waiting) {
      const line = pending.slice(0, at)
      pending = pending.slice(at + 1)
      const resolve = waiting
      waiting = undefined
      resolve(line)
    }
  })
  return {
    async roundTrip(line: string): Promise<number> {
      const started = process.hrtime.bigint()
      const answer = await new Promise<string>((resolve) => {
        waiting = resolve
        socket.write(`${line}\n`)
      })
      if (answer !== `pong ${line}`) throw new Error(`unexpected answer ${answer}`)
      return elapsedMs(started)
    },
    close: () => socket.destroy(),
  }
}

// ---------------------------------------------------------------- the fake's tunnels

interface Tunnel {
  pid: number
  target: string
  ports: Array<{local: number; remote: number; address: string}>
}

function registryFile(fakes: FakeEnvironment, pid: number): string {
  return join(fakes.stateDir, 'port-forwards', `${pid}.json`)
}

/** Running fake `kubectl port-forward`s for a target, from the fake's registry. */
function tunnels(fakes: FakeEnvironment, target: string, exclude: Set<number>): Tunnel[] {
  const dir = join(fakes.stateDir, 'port-forwards')
  if (!existsSync(dir)) return []
  const found: Tunnel[] = []
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue
    try {
      const entry = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Tunnel
      if (entry.target === target && !exclude.has(entry.pid)) found.push(entry)
    } catch {
      // Removed while we read it.
    }
  }
  return found
}

/** A fresh fake kubectl with the supervisor's argv: spawn to the first answer through it. */
async function freshTunnel(
  fakes: FakeEnvironment,
  env: Record<string, string>,
  args: string[],
  running: Set<number>,
): Promise<number> {
  const t0 = process.hrtime.bigint()
  const child: ChildProcess = spawn(join(fakes.binDir, 'kubectl'), args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Known while it runs (its registry entry is gone once it has exited).
  running.add(child.pid!)
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      running.delete(child.pid!)
      resolve()
    }),
  )
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let said = ''
      child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()))
      createInterface({input: child.stdout!}).on('line', (line) => {
        const match = /^Forwarding from 127\.0\.0\.1:(\d+) /.exec(line)
        if (match) resolve(Number(match[1]))
      })
      child.once('close', (code) => reject(new Error(`fake kubectl exited ${code}: ${said}`)))
    })
    const answer = await ask(port, 'fresh')
    if (answer !== 'pong fresh') throw new Error(`unexpected answer ${answer}`)
    return elapsedMs(t0)
  } finally {
    child.kill('SIGINT')
    await closed
  }
}

// ---------------------------------------------------------------- the supervisor

function rssOf(pid: number): {rss: number; hwm: number} {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1])
  return {rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024}
}

interface StatusReport {
  supervisor: {pid: number | null; running: boolean}
  forwards: ForwardStatus[]
}

// ---------------------------------------------------------------- the run

const ownDockerd = process.env.GENIRO_TEST_DOCKER_HOST ? undefined : new PrivateDockerd()
await ownDockerd?.start()
const dockerHost = process.env.GENIRO_TEST_DOCKER_HOST ?? ownDockerd!.host
const fakes = fakeEnvironment({helm: 'helm4', dockerHost})
const env: Record<string, string> = {...fakes.env, GENIRO_DEV_CLUSTER: CLUSTER}
// A kubectl-like tunnel: the supervisor inherits this from the CLI that starts it.
const throttled = {...env, GENIRO_FAKE_PORT_FORWARD_RATE: String(RATE)}
const cli = async (args: string[], extraEnv = env) => {
  const run = await runCli(args, extraEnv)
  if (run.code !== 0)
    throw new Error(`geniro-dev ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`)
  return run.stdout
}
const freshPids = new Set<number>()
let backend: Server | undefined
let forwarding = false
try {
  await cli(['up', '--no-forward', '--json'])
  const pod = await startBackend()
  backend = pod.server
  writeFileSync(
    join(fakes.stateDir, 'port-forward-backends.json'),
    JSON.stringify({'geniro/geniro-api': {host: '127.0.0.1', port: pod.port}}),
  )

  forwarding = true
  const started = JSON.parse(
    await cli(['forward', '--json', '--only', 'api', '--port', `api=${LOCAL_PORT}`], throttled),
  ) as StatusReport & {kubeContext: string; namespace: string}
  const supervisorPid = started.supervisor.pid!
  const spec = started.forwards[0]!
  if (spec.localPort !== LOCAL_PORT || spec.state !== 'ready')
    throw new Error(`unexpected forward: ${JSON.stringify(spec)}`)
  const rssStart = rssOf(supervisorPid)
  const supervisorTunnel = () => tunnels(fakes, spec.target, freshPids)
  if ((await ask(LOCAL_PORT, 'hello')) !== 'pong hello') throw new Error('no answer')

  // 4. `forward status --json` against `node -e 0`, as scripts/bench.mjs measures start time:
  // children without NODE_EXTRA_CA_CERTS (a CA bundle read on every Node start).
  const startEnv: NodeJS.ProcessEnv = {...env}
  delete startEnv.NODE_EXTRA_CA_CERTS
  const timeSync = (args: string[]) => {
    const t0 = process.hrtime.bigint()
    const result = spawnSync(process.execPath, args, {
      env: startEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const took = elapsedMs(t0)
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`)
    return {took, stdout: result.stdout.toString()}
  }
  const statusCheck = JSON.parse(
    timeSync([bin, 'forward', 'status', '--json']).stdout,
  ) as StatusReport
  if (statusCheck.supervisor.pid !== supervisorPid || !statusCheck.supervisor.running)
    throw new Error(
      `forward status --json does not see the supervisor: ${JSON.stringify(statusCheck)}`,
    )
  const startSamples = {node: [] as number[], status: [] as number[]}
  for (let round = -2; round < START_RUNS; round++) {
    const node = timeSync(['-e', '0']).took
    const status = timeSync([bin, 'forward', 'status', '--json']).took
    if (round < 0) continue // two warm-up rounds are dropped
    startSamples.node.push(node)
    startSamples.status.push(status)
  }

  // 1. Recovery: kill the tunnel as a pod restart does; a new client connection through the
  // stable port must be answered again. Interleaved with a fresh fake kubectl (same argv, same
  // cluster) from spawn to its first answer: what a bare restart of kubectl costs.
  const kubectlArgs = portForwardArgs(spec, started.kubeContext, started.namespace)
  const recovery: number[] = []
  const fresh: number[] = []
  let failedProbes = 0
  let lastRecovered = Date.now()
  for (let death = -1; death < RECOVERY_RUNS; death++) {
    const [tunnel] = await waitFor(
      () => (supervisorTunnel().length === 1 ? supervisorTunnel() : false),
      10_000,
      'the supervisor tunnel',
    )
    await sleep(Math.max(0, lastRecovered + DEATH_SPACING_MS - Date.now()))
    const t0 = process.hrtime.bigint()
    process.kill(tunnel!.pid, 'SIGUSR1')
    // The fake removes its registry entry after closing its listeners: from then on, no
    // connection can reach the old tunnel.
    while (existsSync(registryFile(fakes, tunnel!.pid))) await sleep(1)
    for (;;) {
      try {
        if ((await ask(LOCAL_PORT, `r${death}`)) === `pong r${death}`) break
      } catch {
        // A client retries; count it.
      }
      failedProbes++
      if (elapsedMs(t0) > 30_000) throw new Error('no answer 30 s after the tunnel died')
      await sleep(1)
    }
    const took = elapsedMs(t0)
    lastRecovered = Date.now()
    const now = supervisorTunnel()
    if (now.length !== 1 || now[0]!.pid === tunnel!.pid)
      throw new Error(`the tunnel was not replaced: ${JSON.stringify(now)}`)
    const baseline = await freshTunnel(fakes, throttled, kubectlArgs, freshPids)
    if (death < 0) continue // warm-up
    recovery.push(took)
    fresh.push(baseline)
  }
  const afterDeaths = JSON.parse(await cli(['forward', 'status', '--json'])) as StatusReport
  const restarts = afterDeaths.forwards[0]!.restarts

  // 2. Throughput and latency, through the supervisor against the tunnel's own port.
  await sleep(DEATH_SPACING_MS)
  const status = JSON.parse(await cli(['forward', 'status', '--json'])) as StatusReport
  const tunnelPort = status.forwards[0]!.tunnelPort!
  const [registered] = supervisorTunnel()
  if (registered?.ports[0]?.local !== tunnelPort)
    throw new Error(`tunnelPort ${tunnelPort} is not the registered ${JSON.stringify(registered)}`)
  await download(LOCAL_PORT, 8 * MiB)
  await download(tunnelPort, 8 * MiB)
  const rate = {direct: [] as number[], supervisor: [] as number[]}
  for (let run = 0; run < THROUGHPUT_RUNS; run++) {
    const order =
      run % 2 === 0 ? (['supervisor', 'direct'] as const) : (['direct', 'supervisor'] as const)
    for (const via of order) {
      const took = await download(via === 'direct' ? tunnelPort : LOCAL_PORT, BULK_BYTES)
      rate[via].push(BULK_BYTES / MiB / (took / 1000))
    }
  }
  const rssAfter = rssOf(supervisorPid)
  const latencyNew = {direct: [] as number[], supervisor: [] as number[]}
  const latencyOpen = {direct: [] as number[], supervisor: [] as number[]}
  const viaSupervisor = await openConnection(LOCAL_PORT)
  const viaDirect = await openConnection(tunnelPort)
  for (let run = -10; run < LATENCY_RUNS; run++) {
    const order =
      run % 2 === 0 ? (['supervisor', 'direct'] as const) : (['direct', 'supervisor'] as const)
    for (const via of order) {
      const port = via === 'direct' ? tunnelPort : LOCAL_PORT
      const t0 = process.hrtime.bigint()
      if ((await ask(port, `s${run}`)) !== `pong s${run}`) throw new Error('wrong answer')
      const newConnection = elapsedMs(t0)
      const kept = await (via === 'direct' ? viaDirect : viaSupervisor).roundTrip(`k${run}`)
      if (run < 0) continue // warm-up
      latencyNew[via].push(newConnection)
      latencyOpen[via].push(kept)
    }
  }
  viaSupervisor.close()
  viaDirect.close()
  // For the record: what stays once the relay has been idle a while (the target is rssAfter).
  await sleep(5_000)
  const rssIdle = rssOf(supervisorPid)

  // ---------------------------------------------------------------- report
  const row = (label: string, text: string) => console.log(`${label.padEnd(38)}${text}`)
  console.log(
    `Forwards against the fakes (${spec.target}:${spec.remotePort} on 127.0.0.1:${LOCAL_PORT}), Node ${process.version}`,
  )
  const recoveryMedian = median(recovery)
  const freshMedian = median(fresh)
  row(
    `recovery after SIGUSR1 (${recovery.length}x)`,
    `median ${ms(recoveryMedian)}  p90 ${ms(percentile(recovery, 90))}  max ${ms(Math.max(...recovery))}  target <= 1000 ms -> ${verdict(recoveryMedian <= 1000)}`,
  )
  row(
    '  baseline: a fresh fake kubectl',
    `median ${ms(freshMedian)}  p90 ${ms(percentile(fresh, 90))}  (spawn to first answer; recovery ${(recoveryMedian / freshMedian).toFixed(2)}x)`,
  )
  row(
    '  restarts seen / probes retried',
    `${restarts} for ${recovery.length + 1} deaths / ${failedProbes}`,
  )
  const directRate = median(rate.direct)
  const supervisorRate = median(rate.supervisor)
  const share = supervisorRate / directRate
  row(
    `throughput ${BULK_BYTES / MiB} MiB x${THROUGHPUT_RUNS} @ ${RATE / MiB} MiB/s`,
    `direct ${directRate.toFixed(1)} MiB/s  supervisor ${supervisorRate.toFixed(1)} MiB/s  = ${(share * 100).toFixed(1)} %  target >= 90 % -> ${verdict(share >= 0.9)}`,
  )
  for (const [label, samples] of [
    [`request, new connection (${LATENCY_RUNS}x)`, latencyNew],
    [`request, open connection (${LATENCY_RUNS}x)`, latencyOpen],
  ] as const) {
    const added = median(samples.supervisor) - median(samples.direct)
    row(
      label,
      `p50 direct ${ms(median(samples.direct))}  supervisor ${ms(median(samples.supervisor))}  added ${ms(added)}  (p90 ${ms(percentile(samples.direct, 90))} / ${ms(percentile(samples.supervisor, 90))})`,
    )
  }
  const rssMax = Math.max(rssStart.rss, rssAfter.rss)
  row(
    `supervisor RSS (pid ${supervisorPid})`,
    `after start ${rssStart.rss.toFixed(1)} MiB  after throughput ${rssAfter.rss.toFixed(1)} MiB  target <= 60 MiB -> ${verdict(rssMax <= 60)}  peak ${rssIdle.hwm.toFixed(1)} MiB, target <= 70 MiB -> ${verdict(rssIdle.hwm <= 70)}  (${rssIdle.rss.toFixed(1)} MiB after 5 s idle)`,
  )
  const nodeMedian = median(startSamples.node)
  const statusMedian = median(startSamples.status)
  const startRatio = statusMedian / nodeMedian
  row(
    `forward status --json (${START_RUNS}x)`,
    `median ${ms(statusMedian)}  node -e 0 ${ms(nodeMedian)}  ${startRatio.toFixed(2)}x  target <= 1.60x -> ${verdict(startRatio <= 1.6)}`,
  )
} finally {
  for (const pid of freshPids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  if (forwarding) await runCli(['forward', 'stop'], env).catch(() => undefined)
  for (const socket of sockets) socket.destroy()
  backend?.close()
  try {
    fakes.cleanup()
  } finally {
    await ownDockerd?.stop()
  }
}
