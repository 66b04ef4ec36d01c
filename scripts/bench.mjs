#!/usr/bin/env node
// Benchmarks. (1) CLI start time: runs `node -e 0` (the baseline), `geniro-dev --help`,
// `doctor --help`, `doctor --json`, `status --json` (whole, and to its first tool call) and
// `forward status --json` interleaved in the same process, and prints the median wall
// time of each and its ratio to the baseline. Needs a build (npm run build). (2) The
// chart's resource footprint of the default install (requests and limits per workload),
// rendered with the toolchain's Helm 4.
//
//   npm run bench [-- --runs 21]
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {performance} from 'node:perf_hooks'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {footprint, formatFootprint, renderChart} from './chart-footprint.mjs'

const runsFlag = process.argv.indexOf('--runs')
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 21
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
if (!existsSync(new URL('../oclif.manifest.json', import.meta.url))) {
  console.error('bench: run `npm run build` first (the manifest is part of what is measured)')
  process.exit(2)
}

const cases = [
  {name: 'node -e 0', args: ['-e', '0']},
  // target: the ratio to `node -e 0` the project aims for (issue 16's table).
  {name: 'geniro-dev --help', args: [bin, '--help'], target: 1.5},
  {name: 'geniro-dev doctor --help', args: [bin, 'doctor', '--help'], target: 2.5},
  {name: 'geniro-dev doctor --json', args: [bin, 'doctor', '--json'], anyExit: true, target: 4},
  // Whole runs: with no cluster here, status stops at its first answers from kind/kubectl.
  {name: 'geniro-dev status --json', args: [bin, 'status', '--json'], anyExit: true},
  {
    name: 'geniro-dev forward status --json',
    args: [bin, 'forward', 'status', '--json'],
    target: 1.6,
  },
  // From spawning the CLI to the start of its first tool: kind and minikube here are shell
  // scripts that write the time they start and fail, so no tool's own start is counted.
  {
    name: 'status --json to 1st tool',
    args: [bin, 'status', '--json'],
    firstTool: true,
    target: 1.8,
  },
]

const toolDir = mkdtempSync(join(tmpdir(), 'geniro-dev-bench-'))
const marks = join(toolDir, 'started')
for (const tool of ['kind', 'minikube']) {
  writeFileSync(join(toolDir, tool), `#!/bin/sh\ndate +%s%N >> ${marks}\nexit 1\n`)
  chmodSync(join(toolDir, tool), 0o755)
}
/** Wall-clock nanoseconds, comparable with `date +%s%N`. */
const wallNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6))

// NODE_EXTRA_CA_CERTS makes every Node start read a CA bundle (~100 ms here): it would add the
// same constant to both sides and flatter the ratio, so the children run without it.
const env = {...process.env}
delete env.NODE_EXTRA_CA_CERTS
const samples = new Map(cases.map((c) => [c.name, []]))
for (let round = -2; round < runs; round++) {
  for (const c of cases) {
    rmSync(marks, {force: true})
    const wallStart = wallNs()
    const started = process.hrtime.bigint()
    const result = spawnSync(process.execPath, c.args, {
      env: c.firstTool ? {...env, PATH: `${toolDir}:${env.PATH}`} : env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let ms = Number(process.hrtime.bigint() - started) / 1e6
    if (c.firstTool) {
      const first = readFileSync(marks, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(BigInt)
        .reduce((a, b) => (b < a ? b : a))
      ms = Number(first - wallStart) / 1e6
    } else if (result.status !== 0 && !c.anyExit) {
      console.error(`bench: ${c.name} exited ${result.status}: ${result.stderr}`)
      process.exit(1)
    }
    if (round >= 0) samples.get(c.name).push(ms) // two warm-up rounds are dropped
  }
}

rmSync(toolDir, {recursive: true, force: true})

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const baseline = median(samples.get('node -e 0'))
console.log(`CLI start time, ${runs} interleaved runs each, Node ${process.version}`)
console.log(`${'case'.padEnd(34)}${'median ms'.padStart(10)}${'ratio'.padStart(8)}  target`)
for (const c of cases) {
  const m = median(samples.get(c.name))
  const ratio = m / baseline
  const target = c.target
    ? `<= ${c.target.toFixed(2)}x -> ${ratio <= c.target ? 'met' : 'NOT met'}`
    : ''
  console.log(
    `${c.name.padEnd(34)}${m.toFixed(1).padStart(10)}${ratio.toFixed(2).padStart(7)}x  ${target}`,
  )
}

const toolchain =
  process.env.GENIRO_DEV_TOOLCHAIN_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'geniro-dev', 'toolchain')
const helm = join(toolchain, 'helm4/helm/helm')
if (existsSync(helm)) {
  console.log('\nChart footprint, default install (target: requests <= 1.2 CPU and <= 2.5 GiB)')
  console.log(formatFootprint(footprint(renderChart(helm))))
} else {
  console.log(`\nChart footprint skipped: ${helm} is missing (run scripts/toolchain.sh)`)
}
