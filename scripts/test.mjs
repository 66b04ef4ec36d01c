#!/usr/bin/env node
// The one test command (README.md, .ci/run): lint, type-check, the chart's generated docs
// and schema are current, build, then every vitest suite (unit, chart, integration, e2e). vitest's summary reporter prints the
// closing "summary: N passed, N failed, N skipped" line.
import {spawnSync} from 'node:child_process'

const node = process.execPath
const phases = [
  ['lint', ['npx', 'eslint', '.']],
  ['format', ['npx', 'prettier', '--check', '.']],
  ['typecheck', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['chart-docs', [node, 'scripts/chart-docs.mjs', '--check']],
  ['build', ['npm', 'run', '--silent', 'build']],
  ['tests', [node, 'node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]],
]

for (const [name, [command, ...args]] of phases) {
  const started = Date.now()
  process.stderr.write(`\n== ${name}: ${[command, ...args].join(' ')}\n`)
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: {...process.env, OCLIF_SKIP_UPDATE_CHECK: '1'},
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    process.stderr.write(
      `== ${name} failed after ${seconds}s (exit ${result.status ?? result.signal})\n`,
    )
    process.exit(result.status || 1)
  }
  process.stderr.write(`== ${name} passed in ${seconds}s\n`)
}
