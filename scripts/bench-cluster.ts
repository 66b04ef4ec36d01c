// Cluster-command benchmarks against the fakes (test/fakes) on a private Docker engine:
// the overhead of a no-op `geniro-dev up` (a re-run that changes nothing) in our own code,
// and `geniro-dev status --json` against `node -e 0`, interleaved in the same process.
// Run by `npm run bench` (needs root for the private dockerd and scripts/toolchain.sh).
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {PrivateDockerd} from '../test/support/dockerd.js'
import {fakeEnvironment, type Call} from '../test/support/fake-env.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 11)
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))

function time(file: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint()
  const result = spawnSync(file, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
  if (result.status !== 0)
    throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

// The engine at $GENIRO_TEST_DOCKER_HOST when set (a second test daemon in this network
// namespace would fight the first over docker0), else a private one (root).
const dockerd = process.env.GENIRO_TEST_DOCKER_HOST ? undefined : new PrivateDockerd()
await dockerd?.start()
const fakes = fakeEnvironment({
  helm: 'helm4',
  dockerHost: process.env.GENIRO_TEST_DOCKER_HOST ?? dockerd!.host,
})
try {
  const env = {...fakes.env}
  time(process.execPath, [bin, 'up', '--json'], env)
  const before = fakes.calls().length
  time(process.execPath, [bin, 'up', '--json'], env)
  const noopCalls = fakes.calls().slice(before)
  const samples = {
    baseline: [] as number[],
    up: [] as number[],
    tools: [] as number[],
    status: [] as number[],
    statusStart: [] as number[],
  }
  for (let round = 0; round < RUNS; round++) {
    samples.baseline.push(time(process.execPath, ['-e', '0'], env))
    samples.up.push(time(process.execPath, [bin, 'up', '--json'], env))
    // The same tool calls a no-op up makes, run back to back: the fakes' (and real kind's) share.
    samples.tools.push(
      noopCalls.reduce(
        (total, call) => total + time(`${fakes.binDir}/${call.tool}`, call.argv, env),
        0,
      ),
    )
    const seen = fakes.calls().length
    const spawned = Date.now()
    samples.status.push(time(process.execPath, [bin, 'status', '--json'], env))
    // Start: from spawning the CLI to the start of its first tool's process. The fakes log
    // `started` (their performance.timeOrigin); `time` would add the fake's own Node start.
    const first = fakes.calls()[seen] as Call & {started: string}
    samples.statusStart.push(Date.parse(first.started) - spawned)
  }
  const base = median(samples.baseline)
  const up = median(samples.up)
  const tools = median(samples.tools)
  const status = median(samples.status)
  const statusStart = median(samples.statusStart)
  console.log(
    `Cluster commands against the fakes, ${RUNS} interleaved runs each, Node ${process.version}`,
  )
  console.log(`node -e 0                      ${base.toFixed(1).padStart(8)} ms`)
  console.log(
    `no-op up (total)               ${up.toFixed(1).padStart(8)} ms  (${noopCalls.length} tool calls, none mutating: ${noopCalls.every((c) => !c.mutating)})`,
  )
  console.log(
    `  of which the tools' own time ${tools.toFixed(1).padStart(8)} ms  (${noopCalls.map((c) => `${c.tool} ${c.argv[0]}`).join(', ')})`,
  )
  console.log(
    `  our own time                 ${(up - tools).toFixed(1).padStart(8)} ms  target <= 1500 ms -> ${up - tools <= 1500 ? 'met' : 'NOT met'}`,
  )
  console.log(
    `status --json (total)          ${status.toFixed(1).padStart(8)} ms  (six tool calls)`,
  )
  const ratio = statusStart / base
  console.log(
    `status --json start            ${statusStart.toFixed(1).padStart(8)} ms  ${ratio.toFixed(2)}x node -e 0, to its first tool call (target <= 1.80x -> ${ratio <= 1.8 ? 'met' : 'NOT met'})`,
  )
} finally {
  fakes.cleanup()
  await dockerd?.stop()
}
