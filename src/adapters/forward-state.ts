import {
  existsSync,
  linkSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {SupervisorState} from '../core/forward-plan.js'
import {UserError} from '../core/errors.js'
import {
  identityFrom,
  proveProcess,
  systemProcesses,
  type ProcessFacts,
  type ProcessIdentity,
  type ProcessTable,
  type Proof,
} from './process-identity.js'
import {
  describeFsError,
  makeWritableDir,
  notAFile,
  parseJson,
  readLockText,
  writeJsonAtomic,
} from './state-files.js'
import {
  isIdentityList,
  isPortMap,
  isProcessIdentity,
  isSupervisorState,
} from './forward-state-shape.js'

export {forwardKey} from '../core/forward-key.js'
export type {ProcessIdentity} from './process-identity.js'

/** Where a state dir's forwards are, for the hints that name `forward stop`. */
export interface ForwardStateLocation {
  kubeContext: string
  namespace: string
  release: string
}

/** A state file that cannot be used: garbled, of the wrong shape, or not a file. Exit 3. */
export class StaleStateError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
    stopCommand: string,
  ) {
    super(
      `stale forward state: ${file} ${problem}`,
      `\`${stopCommand}\` removes it (and stops what is proven to be running)`,
    )
  }
}

export class ForwardStateDir {
  constructor(
    readonly dir: string,
    readonly location?: ForwardStateLocation,
    /** Where the pids its records name are looked up and signalled. */
    readonly processes: ProcessTable = systemProcesses,
  ) {}

  exists(): boolean {
    return existsSync(this.dir)
  }

  get stateFile(): string {
    return join(this.dir, 'state.json')
  }
  get pidFile(): string {
    return join(this.dir, 'supervisor.pid')
  }
  get tunnelsFile(): string {
    return join(this.dir, 'tunnels.json')
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

  /** The command that cleans this state dir, for hints. */
  get stopCommand(): string {
    const where = this.location
    return where
      ? `geniro-dev forward stop --kube-context ${where.kubeContext} -n ${where.namespace}${where.release === 'geniro' ? '' : ` --release ${where.release}`}`
      : 'geniro-dev forward stop'
  }

  staleFile(file: string, problem: string): StaleStateError {
    return new StaleStateError(file, problem, this.stopCommand)
  }

  ensure(): void {
    makeWritableDir(this.dir)
  }

  readState(): SupervisorState | undefined {
    return this.readRecord(this.stateFile, isSupervisorState)
  }

  /** Written whole and renamed into place: readers never see half a file. */
  writeState(state: SupervisorState): void {
    writeJsonAtomic(this.stateFile, state)
  }

  readSupervisor(): ProcessIdentity | undefined {
    return this.readRecord(
      this.pidFile,
      isProcessIdentity,
      'no valid process record (a pid above 1)',
    )
  }

  /** Records the supervisor: its pid, start time and command line (see process-identity). */
  writeSupervisor(pid: number): void {
    writeJsonAtomic(this.pidFile, this.identityOf(pid))
  }

  /**
   * Whether `recorded` is this state dir's supervisor, running now: the same process (pid,
   * start time, command line as recorded) and a supervisor's command line — the detached
   * `forward-supervisor.js <this dir>`, or a `forward --foreground`.
   */
  proveSupervisor(recorded: ProcessIdentity): Proof & {detached?: boolean} {
    const proof = proveProcess(
      recorded,
      (facts) => supervisorKind(facts, this.dir) !== undefined,
      this.processes.inspect,
    )
    return proof.ours
      ? {...proof, detached: supervisorKind(proof.facts, this.dir) === 'detached'}
      : proof
  }

  /** The running supervisor, or undefined when there is none or its record is stale. */
  liveSupervisor(): ProcessIdentity | undefined {
    const recorded = this.readSupervisor()
    return recorded && this.proveSupervisor(recorded).ours ? recorded : undefined
  }

  /** The kubectl tunnels the supervisor runs (written by it on every start and exit). */
  readTunnels(): ProcessIdentity[] {
    return this.readRecord(this.tunnelsFile, isIdentityList) ?? []
  }

  writeTunnels(tunnels: ProcessIdentity[]): void {
    writeJsonAtomic(this.tunnelsFile, tunnels)
  }

  keptPorts(): Record<string, number> {
    return (
      this.readRecord(this.portsFile, isPortMap, 'a port outside 1-65535 or not a port map') ?? {}
    )
  }

  keepPorts(ports: Record<string, number>): void {
    this.ensure()
    writeJsonAtomic(this.portsFile, ports)
  }

  /** The log is a file when it is there (a directory in its place is stale state). */
  checkLog(): void {
    const problem = notAFile(this.logFile)
    if (problem) throw this.staleFile(this.logFile, problem)
  }

  /** Every state file can be read; else the first that cannot, as StaleStateError. */
  validate(): void {
    this.readState()
    this.readSupervisor()
    this.readTunnels()
    this.keptPorts()
    this.checkLog()
  }

  /**
   * Removes the state files that cannot be read (kept ports and log included, which clear()
   * keeps) and returns them.
   */
  removeUnreadable(): string[] {
    const removed: string[] = []
    const checks: Array<[string, () => unknown]> = [
      [this.stateFile, () => this.readState()],
      [this.pidFile, () => this.readSupervisor()],
      [this.tunnelsFile, () => this.readTunnels()],
      [this.portsFile, () => this.keptPorts()],
      [this.logFile, () => this.checkLog()],
    ]
    for (const [file, read] of checks) {
      try {
        read()
      } catch (error) {
        if (!(error instanceof StaleStateError)) throw error
        rmSync(file, {recursive: true, force: true})
        removed.push(file)
      }
    }
    return removed
  }

  /** Removes what a stopped supervisor leaves; kept ports and the log stay. */
  clear(): void {
    for (const file of [this.stateFile, this.pidFile, this.tunnelsFile, this.specFile])
      rmSync(file, {force: true})
  }

  /** Everything, kept ports and log included (the cluster is gone). */
  remove(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }

  /**
   * One start or stop at a time per cluster and namespace: the lock file holds its owner's
   * identity and appears with it (linked into place whole). An owner that is not proven
   * alive and the same process — an empty or garbled lock, a dead owner, a reused pid —
   * leaves a stale lock, taken over at once; a live owner is waited for.
   */
  async lock(timeoutMs: number): Promise<() => void> {
    this.ensure()
    const mine = JSON.stringify(this.identityOf(process.pid))
    const deadline = Date.now() + timeoutMs
    let owner: ProcessIdentity | undefined
    for (let attempt = 0; ; attempt++) {
      if (this.createLock(mine)) return () => this.releaseLock(mine)
      const held = readLockText(this.lockFile)
      if (held === undefined) continue // Released meanwhile: try again at once.
      owner = parseJson(held, isProcessIdentity)
      const stale = !(
        owner &&
        owner.command !== undefined &&
        proveProcess(owner, undefined, this.processes.inspect).ours
      )
      if (stale) this.removeStaleLock(held)
      if (Date.now() > deadline) {
        throw new UserError(
          `another geniro-dev is starting or stopping the forwards (pid ${owner?.pid ?? 'unknown'})`,
          `wait for it to finish; the lock is ${this.lockFile}`,
        )
      }
      if (!stale || attempt > 20) await sleep(stale ? 10 : 50)
    }
  }

  /** What to record of a running process (see process-identity); the bare pid when it is gone. */
  identityOf(pid: number): ProcessIdentity {
    const facts = this.processes.inspect(pid)
    return facts ? identityFrom(facts) : {pid}
  }

  /**
   * Whether `recorded` is a tunnel this dir's supervisor started, running now: the same
   * process, still in the process group it was started in.
   */
  proveTunnel(recorded: ProcessIdentity): Proof {
    return proveProcess(
      recorded,
      (facts) => recorded.pgid !== undefined && facts.pgid === recorded.pgid,
      this.processes.inspect,
    )
  }

  /** Removes a stale lock as it was judged: a lock taken meanwhile by another start stays. */
  private removeStaleLock(held: string): void {
    if (readLockText(this.lockFile) !== held) return
    try {
      rmSync(this.lockFile, {recursive: true, force: true})
    } catch (error) {
      throw this.staleFile(this.lockFile, `cannot be removed (${describeFsError(error)})`)
    }
  }

  /** Creates the lock with its content in one step, or returns false when it is held. */
  private createLock(content: string): boolean {
    const temp = `${this.lockFile}.${process.pid}.tmp`
    writeFileSync(temp, content, {mode: 0o600})
    try {
      linkSync(temp, this.lockFile)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return false
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error
      // No hard links here: create and write (a reader may see it empty for a moment).
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600)
        writeFileSync(fd, content)
        closeSync(fd)
        return true
      } catch (error_) {
        if ((error_ as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw error_
      }
    } finally {
      rmSync(temp, {force: true})
    }
  }

  private releaseLock(content: string): void {
    if (readLockText(this.lockFile) === content) rmSync(this.lockFile, {force: true})
  }

  /** A JSON state file's value: undefined when it is missing, StaleStateError when unusable. */
  private readRecord<T>(
    file: string,
    check: (value: unknown) => value is T,
    what = 'something geniro-dev did not write',
  ): T | undefined {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw this.staleFile(file, `cannot be read (${describeFsError(error)})`)
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw this.staleFile(file, text.trim() === '' ? 'is empty' : 'is not valid JSON')
    }
    if (!check(value)) throw this.staleFile(file, `holds ${what}`)
    return value
  }
}

/**
 * `detached`: the background supervisor of this state dir (`node …/forward-supervisor.js DIR`);
 * `foreground`: a `geniro-dev forward --foreground`, which is its own supervisor.
 */
function supervisorKind(facts: ProcessFacts, dir: string): 'detached' | 'foreground' | undefined {
  if (facts.command.endsWith(`forward-supervisor.js ${dir}`)) return 'detached'
  const words = facts.command.split(' ')
  if (words.includes('forward') && words.includes('--foreground')) return 'foreground'
  return undefined
}
