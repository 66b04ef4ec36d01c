#!/usr/bin/env node
// Root --help and --version are answered from dist/root-help.json (composed from the
// manifests at build time), and plain `status` and `forward status` by dist/cli/fast-paths.js,
// without loading oclif; everything else goes to oclif, bundled in dist/cli/main.js.
import {readFileSync} from 'node:fs'
import module from 'node:module'

// Node 22.1+ keeps V8's compiled code of the bundle between runs (in the OS temp dir; Node's
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): compiling is most of an oclif command's start.
module.enableCompileCache?.()

const argv = process.argv.slice(2)
// The bundle's source maps, so a --debug stack trace names src/ files and lines.
if (argv.includes('--debug')) process.setSourceMapsEnabled(true)
const only = argv.length === 1 ? argv[0] : undefined
const wantsHelp = argv.length === 0 || only === '--help' || only === '-h' || only === 'help'
const wantsVersion = only === '--version' || only === '-v' || only === 'version'
let answers
if (wantsHelp || wantsVersion) {
  try {
    answers = JSON.parse(readFileSync(new URL('../dist/root-help.json', import.meta.url), 'utf8'))
  } catch {
    // A checkout without a build: oclif answers instead.
  }
}
if (answers) {
  const versionLine = answers.versionLine
    .replace('{platform}', `${process.platform}-${process.arch}`)
    .replace('{node}', process.version)
  process.stdout.write(
    wantsVersion ? `${versionLine}\n` : answers.help.replace('{version}', versionLine),
  )
} else if (!(await fastPath())) {
  const {run} = await import('../dist/cli/main.js')
  await run(import.meta.url)
}

async function fastPath() {
  if (argv[0] !== 'status' && !(argv[0] === 'forward' && argv[1] === 'status')) return false
  // A checkout without a build: oclif answers instead.
  const fast = await import('../dist/cli/fast-paths.js').catch(() => undefined)
  return fast ? fast.runFastPath(argv) : false
}
