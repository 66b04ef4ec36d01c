// Which process a pid names, and whether it is still the one we recorded. A pid read from a
// file is trusted only with its start time and its command line: a pid alone may be any
// process by now (the one we started died, the pid was reused, the machine rebooted).
// Linux reads /proc; where there is none (macOS) `ps` answers. Synchronous and free of heavy
// imports: `forward status` uses it on its fast path.
import {existsSync, readFileSync} from 'node:fs'

/** What we record of a process we started, to know it again later. */
export interface ProcessIdentity {
  pid: number
  /** Linux: its start time in clock ticks after boot (field 22 of /proc/PID/stat). */
  startTicks?: number
  /** Linux: the boot it started in (/proc/sys/kernel/random/boot_id). */
  boot?: string
  /** Without /proc: its start time as `ps -o lstart=` prints it (UTC, to the second). */
  started?: string
  /** Its command line, the arguments joined by spaces. */
  command?: string
  /** Its process group. */
  pgid?: number
}

/** What the system says about a pid now. */
export interface ProcessFacts {
  pid: number
  pgid: number
  /** Exited but not reaped: dead for every purpose here. */
  zombie: boolean
  startTicks?: number
  started?: string
  boot?: string
  command: string
}

export type Proof = {ours: true; facts: ProcessFacts} | {ours: false; reason: string}

/** Linux's highest possible pid is 2^22 - 1 (PID_MAX_LIMIT); other systems stay below it. */
const PID_LIMIT = 2 ** 22

/**
 * A pid that names one process: an integer above 1. 0 and negative pids name process
 * groups (0: the caller's own, -1: every process the user may signal) and 1 is init.
 */
export function isValidPid(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 1 && (value as number) < PID_LIMIT
}

const hasProcfs = existsSync('/proc/self/stat')

/** The process `pid` names now, or undefined when there is none (or it cannot be seen). */
export function inspectProcess(pid: number): ProcessFacts | undefined {
  if (!isValidPid(pid)) return undefined
  return hasProcfs ? procfsFacts(pid) : psFacts(pid)
}

/** From /proc/PID/stat and /proc/PID/cmdline (Linux). */
export function procfsFacts(pid: number): ProcessFacts | undefined {
  if (!isValidPid(pid)) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // `(comm)` may itself hold spaces and parens: the fields start after the last `)`.
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ')
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    const state = fields[0] ?? ''
    return {
      pid,
      pgid: Number(fields[2]),
      zombie: state === 'Z' || state === 'X' || state === 'x',
      startTicks: Number(fields[19]),
      boot: bootId(),
      command: cmdline.replace(/\0+$/, '').split('\0').join(' '),
    }
  } catch {
    return undefined
  }
}

// "Mon Jan  1 12:00:00 2024": five words, the day of the month padded with a space.
const PS_LINE = /^\s*(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s?(.*)$/

/**
 * From `ps` (BSD and procps take the same words), for systems without /proc. Its own fixed
 * PATH (a `ps` of the user's PATH is not asked), C locale and UTC, so a start time reads
 * the same whoever asks.
 */
export function psFacts(pid: number): ProcessFacts | undefined {
  if (!isValidPid(pid)) return undefined
  // Synchronous, as the pid checks around it are; a one-line answer needs nothing of execa's.
  // Loaded here, not at the top: on Linux (/proc) `forward status` never needs it, and
  // node:child_process with the streams it loads costs its fast path a few milliseconds.
  const {spawnSync} = process.getBuiltinModule('node:child_process')
  const run = spawnSync('ps', ['-ww', '-o', 'pgid=,stat=,lstart=,command=', '-p', String(pid)], {
    encoding: 'utf8',
    timeout: 5_000,
    env: {PATH: '/bin:/usr/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC'},
  })
  if (run.status !== 0 || !run.stdout) return undefined
  const match = PS_LINE.exec(run.stdout.split('\n')[0] ?? '')
  if (!match) return undefined
  return {
    pid,
    pgid: Number(match[1]),
    zombie: match[2]!.startsWith('Z'),
    started: match[3]!.replace(/\s+/g, ' '),
    command: match[4]!.trim(),
  }
}

let cachedBootId: string | undefined | null = null

function bootId(): string | undefined {
  if (cachedBootId === null) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined
    } catch {
      cachedBootId = undefined
    }
  }
  return cachedBootId
}

/** What to record of a running process to know it again; undefined when it is not there. */
export function identityOf(pid: number): ProcessIdentity | undefined {
  const facts = inspectProcess(pid)
  return facts ? identityFrom(facts) : undefined
}

export function identityFrom(facts: ProcessFacts): ProcessIdentity {
  return {
    pid: facts.pid,
    ...(facts.startTicks !== undefined ? {startTicks: facts.startTicks} : {}),
    ...(facts.boot !== undefined ? {boot: facts.boot} : {}),
    ...(facts.started !== undefined ? {started: facts.started} : {}),
    command: facts.command,
    pgid: facts.pgid,
  }
}

/**
 * Whether `recorded` names the very process running now: a valid pid, alive (not a zombie),
 * started at the recorded time in the recorded boot, with the recorded command line (when
 * one was recorded) and a command line `isOurs` accepts. A record without a start time
 * proves nothing. The reason never quotes another program's command line.
 */
export function proveProcess(
  recorded: ProcessIdentity,
  isOurs: (facts: ProcessFacts) => boolean = () => true,
  inspect: (pid: number) => ProcessFacts | undefined = inspectProcess,
): Proof {
  const {pid} = recorded
  if (!isValidPid(pid)) return {ours: false, reason: `${String(pid)} is not a valid process id`}
  const facts = inspect(pid)
  if (!facts || facts.zombie) return {ours: false, reason: `pid ${pid} is not running`}
  if (recorded.startTicks === undefined && recorded.started === undefined)
    return {ours: false, reason: `pid ${pid} was recorded without its start time`}
  const sameStart =
    recorded.startTicks !== undefined
      ? facts.startTicks === recorded.startTicks
      : recorded.started !== undefined && facts.started === recorded.started
  const sameBoot = !recorded.boot || !facts.boot || recorded.boot === facts.boot
  if (!sameStart || !sameBoot)
    return {ours: false, reason: `pid ${pid} is now another process (it started at another time)`}
  if ((recorded.command !== undefined && facts.command !== recorded.command) || !isOurs(facts))
    return {ours: false, reason: `pid ${pid} is now another program`}
  return {ours: true, facts}
}

/** Sends `signal` to one process: never a group, never a pid that is not valid. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  if (!isValidPid(pid)) return false
  try {
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * Sends `signal` to the group `leader` leads. The caller has proven the leader ours
 * (proveProcess); it must lead its group, or nothing is sent.
 */
export function signalGroup(leader: ProcessFacts, signal: NodeJS.Signals): boolean {
  if (!isValidPid(leader.pid) || leader.pgid !== leader.pid) return false
  try {
    process.kill(-leader.pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * The processes of this machine as the state dirs see them: what a pid names now, and the
 * signals sent to the ones proven ours. test/services hands a table in memory instead.
 */
export interface ProcessTable {
  inspect(pid: number): ProcessFacts | undefined
  signal(pid: number, signal: NodeJS.Signals): boolean
  signalGroup(leader: ProcessFacts, signal: NodeJS.Signals): boolean
}

export const systemProcesses: ProcessTable = {
  inspect: inspectProcess,
  signal: signalProcess,
  signalGroup,
}
