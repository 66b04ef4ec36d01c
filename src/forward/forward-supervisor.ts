// The detached forward supervisor: `node forward-supervisor.js STATE_DIR`. Its own small
// entry point (no oclif, no listr2) keeps its memory near a bare Node process.
import {readFileSync} from 'node:fs'
import {ForwardStateDir} from '../adapters/forward-state.js'
import {Supervisor, type SupervisorSpec} from './supervisor.js'

const dir = process.argv[2]
if (!dir) {
  process.stderr.write('usage: forward-supervisor.js STATE_DIR\n')
  process.exit(2)
}
const files = new ForwardStateDir(dir)
let spec: SupervisorSpec
try {
  spec = JSON.parse(readFileSync(files.specFile, 'utf8')) as SupervisorSpec
} catch (error) {
  // The starter reads why from the log and the exit code.
  process.stderr.write(`start failed: cannot read ${files.specFile}: ${(error as Error).message}\n`)
  process.exit(1)
}
const supervisor = new Supervisor(spec, files)

const shutdown = (signal: NodeJS.Signals) => {
  supervisor.log(`received ${signal}`)
  void supervisor.stop().then(() => process.exit(0))
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, shutdown)

try {
  await supervisor.start()
} catch (error) {
  // The starter reads why from the log and the exit code.
  supervisor.log(`start failed: ${(error as Error).message}`)
  process.exit(1)
}
