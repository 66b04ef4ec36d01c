import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {SupervisorState} from '../core/forward-plan.js'
import {UserError} from '../core/errors.js'

/**
 * The forward supervisor's files, one directory per cluster context and namespace under
 * `$GENIRO_DEV_STATE_DIR` (default `$XDG_STATE_HOME/geniro-dev`): the state it publishes,
 * its pidfile, the start lock, its log, and the ports `--next-free` chose.
 * Kept free of heavy imports: `forward status` reads it on its fast path.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENIRO_DEV_STATE_DIR) return env.GENIRO_DEV_STATE_DIR
  const xdg = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state')
  return join(xdg, 'geniro-dev')
}

/** A directory name for a context and namespace (contexts may hold `/` or `:`). */
export function forwardKey(kubeContext: string, namespace: string): string {
  return `${kubeContext.replaceAll(/[^\w.-]/g, '_')}@${namespace}`
}

/** Identifies a process across pid reuse: its pid and its start time in clock ticks. */
export interface ProcessIdentity {
  pid: number
  startTicks?: number
}

/** The files of the forwards of one kube context and namespace. */
export function forwardStateDir(
  root: string,
  kubeContext: string,
  namespace: string,
): ForwardStateDir {
  return new ForwardStateDir(join(root, 'forwards', forwardKey(kubeContext, namespace)))
}

/** The state dir of a release's forwards and bridge records, under the default root. */
export function releaseStateDir(target: {kubeContext: string; namespace: string}): ForwardStateDir {
  return forwardStateDir(stateRoot(), target.kubeContext, target.namespace)
}

export class ForwardStateDir {
  constructor(readonly dir: string) {}

  exists(): boolean {
    return existsSync(this.dir)
  }

  get stateFile(): string {
    return join(this.dir, 'state.json')
  }
  get pidFile(): string {
    return join(this.dir, 'supervisor.pid')
  }
  get lockFile(): string {
    return join(this.dir, 'lock')
  }
  get logFile(): string {
    return join(this.dir, 'supervisor.log')
  }
  get specFile(): string {
    return join(this.dir, 'spec.json')
  }
  get portsFile(): string {
    return join(this.dir, 'ports.json')
  }

  ensure(): void {
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
  }

  readState(): SupervisorState | undefined {
    return readJson<SupervisorState>(this.stateFile)
  }

  /** Written whole and renamed into place: readers never see half a file. */
  writeState(state: SupervisorState): void {
    writeJsonAtomic(this.stateFile, state)
  }

  readSupervisor(): ProcessIdentity | undefined {
    return readJson<ProcessIdentity>(this.pidFile)
  }

  writeSupervisor(pid: number): void {
    writeJsonAtomic(this.pidFile, identityOf(pid))
  }

  /** The running supervisor, or undefined when there is none or it died (stale files). */
  liveSupervisor(): ProcessIdentity | undefined {
    const recorded = this.readSupervisor()
    return recorded && isAlive(recorded) ? recorded : undefined
  }

  /** Removes what a stopped supervisor leaves; kept ports and the log stay. */
  clear(): void {
    for (const file of [this.stateFile, this.pidFile, this.specFile]) rmSync(file, {force: true})
  }

  /** Everything, kept ports and log included (the cluster is gone). */
  remove(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }

  keptPorts(): Record<string, number> {
    return readJson<Record<string, number>>(this.portsFile) ?? {}
  }

  keepPorts(ports: Record<string, number>): void {
    this.ensure()
    writeJsonAtomic(this.portsFile, ports)
  }

  /**
   * One start at a time per cluster and namespace: the lock file holds its owner's
   * identity; a dead owner's lock is taken over, a live one is waited for.
   */
  async lock(timeoutMs: number): Promise<() => void> {
    this.ensure()
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600)
        writeFileSync(fd, JSON.stringify(identityOf(process.pid)))
        closeSync(fd)
        return () => rmSync(this.lockFile, {force: true})
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const owner = readJson<ProcessIdentity>(this.lockFile)
      if (owner && !isAlive(owner)) {
        rmSync(this.lockFile, {force: true})
        continue
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `another geniro-dev is starting the forwards (pid ${owner?.pid ?? 'unknown'})`,
          `wait for it, or remove ${this.lockFile} if that process is gone`,
        )
      }
      await sleep(50)
    }
  }
}

export function identityOf(pid: number): ProcessIdentity {
  return {pid, startTicks: startTicks(pid)}
}

/** Alive and the same process (not a later one that reused the pid). */
export function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const fields = procStatFields(identity.pid)
  // A zombie is dead: an init that does not reap (some containers) keeps it listed.
  if (fields?.[0] === 'Z') return false
  const now = fields ? Number(fields[19]) : undefined
  return identity.startTicks === undefined || now === undefined || now === identity.startTicks
}

/** Field 22 of /proc/PID/stat (Linux); undefined elsewhere. */
function startTicks(pid: number): number | undefined {
  const fields = procStatFields(pid)
  return fields ? Number(fields[19]) : undefined
}

/** The fields of /proc/PID/stat after `(comm)`, which may itself hold spaces and parens. */
function procStatFields(pid: number | string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text
      .slice(text.lastIndexOf(')') + 2)
      .trim()
      .split(' ')
  } catch {
    return undefined
  }
}

/**
 * Kills what a dead supervisor left in its process group (its kubectl tunnels keep running
 * when the supervisor itself is killed with SIGKILL). Only processes of that group whose
 * command line is ours or kubectl's are touched. Returns the pids it killed.
 */
export function killOrphanedGroup(groupId: number): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return []
  }
  const killed: number[] = []
  for (const entry of entries) {
    const fields = procStatFields(entry)
    if (!fields || Number(fields[2]) !== groupId) continue
    const cmdline = readText(`/proc/${entry}/cmdline`)
    if (!/port-forward|forward-supervisor/.test(cmdline)) continue
    try {
      process.kill(Number(entry), 'SIGKILL')
      killed.push(Number(entry))
    } catch {
      // Gone meanwhile.
    }
  }
  return killed
}

/** A file's text, or '' when it cannot be read. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** A JSON file's value, or undefined when it is missing or unreadable. */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

/** Written whole and renamed into place: a reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, {mode: 0o600})
  renameSync(temp, file)
}
