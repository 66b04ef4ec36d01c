/**
 * Real processes that a forward state dir may name but that are not ours (an unrelated
 * `sleep`), or that look like ours (a decoy `forward-supervisor.js` leading its own process
 * group, with a child whose command line says `port-forward`), and what /proc says of them.
 * Every process started here is killed by `killDecoys()`.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {processTable, waitFor} from './processes.js'

const started: ChildProcess[] = []

/** A real, unrelated process: `sleep 300`, in the test's own process group. */
export function startSleep(): number {
  const child = spawn('sleep', ['300'], {stdio: 'ignore'})
  started.push(child)
  return child.pid!
}

export interface Decoy {
  /** The decoy supervisor; it leads its own process group. */
  pid: number
  /** Its child, whose command line holds `kubectl port-forward`. */
  childPid: number
}

/**
 * `node <dir>/forward-supervisor.js <stateDir>`: the command line of the forward supervisor
 * of `stateDir`, detached (its own group), with a `port-forward` child in that group.
 */
export async function startDecoySupervisor(scriptDir: string, stateDir: string): Promise<Decoy> {
  mkdirSync(scriptDir, {recursive: true})
  const script = join(scriptDir, 'forward-supervisor.js')
  writeFileSync(
    script,
    [
      "const {spawn} = require('node:child_process')",
      "spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'kubectl', 'port-forward'], {stdio: 'ignore'})",
      'setInterval(() => {}, 1000)',
      '',
    ].join('\n'),
  )
  const child = spawn(process.execPath, [script, stateDir], {detached: true, stdio: 'ignore'})
  started.push(child)
  const pid = child.pid!
  const inner = await waitFor(
    () => processTable().find((p) => p.pgid === pid && p.cmdline.includes('port-forward')),
    10_000,
    'the decoy port-forward child',
  )
  return {pid, childPid: inner.pid}
}

/** Whether `pid` is running (zombies count as gone). */
export function alive(pid: number): boolean {
  return processTable().some((p) => p.pid === pid)
}

/** What geniro-dev records of a process: pid, start time in ticks, process group, command line. */
export function identity(pid: number): {
  pid: number
  startTicks: number
  pgid: number
  command: string
} {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .replace(/\0+$/, '')
    .split('\0')
    .join(' ')
  return {pid, startTicks: Number(fields[19]), pgid: Number(fields[2]), command}
}

/** Kills every process started here (decoy groups as a whole). */
export function killDecoys(): void {
  for (const child of started.splice(0)) {
    for (const target of [-child.pid!, child.pid!]) {
      try {
        process.kill(target, 'SIGKILL')
      } catch {
        // Not a group leader, or gone already.
      }
    }
  }
}
