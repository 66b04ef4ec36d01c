import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type {SupervisorState} from '../core/forward-plan.js'
import {UserError} from '../core/errors.js'
import {validateNamespace, validateReleaseName} from '../core/cluster.js'
import {forwardKey, parseForwardKey} from '../core/forward-key.js'
import {
  identityOf,
  isValidPid,
  proveProcess,
  type ProcessFacts,
  type ProcessIdentity,
  type Proof,
} from './process-identity.js'

export {forwardKey} from '../core/forward-key.js'
export type {ProcessIdentity} from './process-identity.js'

/**
 * The forward supervisor's files, one directory per kube context, namespace and release under
 * `$GENIRO_DEV_STATE_DIR` (default `$XDG_STATE_HOME/geniro-dev`): the state it publishes,
 * its pidfile, the identities of its kubectl tunnels, the start lock, its log, and the ports
 * `--next-free` chose. Every file is checked when read: one that cannot be used is stale
 * state (StaleStateError, exit 3), and `forward stop` removes it.
 * Kept free of heavy imports: `forward status` reads it on its fast path.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENIRO_DEV_STATE_DIR) return resolve(env.GENIRO_DEV_STATE_DIR)
  // The XDG spec: a relative path in an XDG variable is invalid and is ignored.
  const xdg =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : join(env.HOME || homedir(), '.local', 'state')
  return resolve(xdg, 'geniro-dev')
}

/** Where a state dir's forwards are, for the hints that name `forward stop`. */
export interface ForwardStateLocation {
  kubeContext: string
  namespace: string
  release: string
}

/**
 * The files of the forwards of one kube context, namespace and release. The names are
 * checked (exit 2 for a bad one) and the directory is always one level below
 * `<root>/forwards`: no input reaches a file outside the state root.
 */
export function forwardStateDir(root: string, location: ForwardStateLocation): ForwardStateDir {
  const {kubeContext, namespace, release} = location
  validateNamespace(namespace)
  validateReleaseName(release)
  const base = join(root, 'forwards')
  const dir = join(base, forwardKey(kubeContext, namespace, release))
  if (dirname(dir) !== base) throw new Error(`state dir ${dir} escapes ${base}`)
  return new ForwardStateDir(dir, {kubeContext, namespace, release})
}

/** Every state dir under `root` (any context), e.g. to see who else records an attachment. */
export function allStateDirs(root: string = stateRoot()): ForwardStateDir[] {
  const base = join(root, 'forwards')
  return listDir(base).map((name) => new ForwardStateDir(join(base, name)))
}

/** The state dirs of every namespace and release of one kube context (its cluster is going). */
export function contextStateDirs(
  kubeContext: string,
  root: string = stateRoot(),
): ForwardStateDir[] {
  const base = join(root, 'forwards')
  return listDir(base).flatMap((name) => {
    const where = parseForwardKey(name, kubeContext)
    if (!where) return []
    try {
      return [forwardStateDir(root, {kubeContext, ...where})]
    } catch {
      return [] // Not a name geniro-dev writes: not ours to remove.
    }
  })
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return [] // No state yet.
  }
}

/** The state dir of a release's forwards and bridge records, under the default root. */
export function releaseStateDir(target: ForwardStateLocation): ForwardStateDir {
  return forwardStateDir(stateRoot(), target)
}

/**
 * The state dir is usable: it exists or can be made, is a directory, can be written, and
 * (given a target) the target's state files can all be read. Called before `up` and
 * `forward` change anything, so an unusable `GENIRO_DEV_STATE_DIR` or stale state fails
 * first (exit 3), not after the release was installed.
 */
export function ensureStateDirWritable(
  target?: ForwardStateLocation,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const root = stateRoot(env)
  const files = target ? forwardStateDir(root, target) : undefined
  makeWritableDir(files?.dir ?? join(root, 'forwards'))
  files?.validate()
}

function makeWritableDir(dir: string): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    if (!lstatSync(dir).isDirectory()) throw Object.assign(new Error(), {code: 'ENOTDIR'})
    const probe = join(dir, `.write-test.${process.pid}`)
    writeFileSync(probe, '', {mode: 0o600})
    rmSync(probe, {force: true})
  } catch (error) {
    throw new UserError(
      `the state directory ${dir} is not usable (${describeFsError(error)})`,
      'set GENIRO_DEV_STATE_DIR to a writable directory, or fix that path (default: $XDG_STATE_HOME/geniro-dev, ~/.local/state/geniro-dev)',
    )
  }
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

const FORWARD_STATES = new Set(['starting', 'ready', 'reconnecting', 'failed'])

export class ForwardStateDir {
  constructor(
    readonly dir: string,
    readonly location?: ForwardStateLocation,
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
    writeJsonAtomic(this.pidFile, identityOf(pid) ?? {pid})
  }

  /**
   * Whether `recorded` is this state dir's supervisor, running now: the same process (pid,
   * start time, command line as recorded) and a supervisor's command line — the detached
   * `forward-supervisor.js <this dir>`, or a `forward --foreground`.
   */
  proveSupervisor(recorded: ProcessIdentity): Proof & {detached?: boolean} {
    const proof = proveProcess(recorded, (facts) => supervisorKind(facts, this.dir) !== undefined)
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
    const mine = JSON.stringify(identityOf(process.pid) ?? {pid: process.pid})
    const deadline = Date.now() + timeoutMs
    let owner: ProcessIdentity | undefined
    for (let attempt = 0; ; attempt++) {
      if (this.createLock(mine)) return () => this.releaseLock(mine)
      const held = readLockText(this.lockFile)
      if (held === undefined) continue // Released meanwhile: try again at once.
      owner = parseJson(held, isProcessIdentity)
      const stale = !(owner && owner.command !== undefined && proveProcess(owner).ours)
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

function readLockText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    // A directory or an unreadable file in the lock's place: a lock nobody holds.
    return `<${code}>`
  }
}

function parseJson<T>(text: string, check: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return check(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Why a path that should be a regular file (when it exists) is not one, or undefined. */
function notAFile(file: string): string | undefined {
  try {
    const stat = lstatSync(file)
    if (stat.isFile()) return undefined
    return stat.isDirectory() ? 'is a directory, not a file' : 'is not a regular file'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    return `cannot be read (${describeFsError(error)})`
  }
}

function describeFsError(error: unknown): string {
  const {code, message} = error as NodeJS.ErrnoException
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'read-only file system'
    case 'EISDIR':
      return 'it is a directory'
    case 'ENOSPC':
      return 'no space left on the device'
    default:
      return code ?? message
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type
}

function isProcessIdentity(value: unknown): value is ProcessIdentity {
  return (
    isObject(value) &&
    isValidPid(value.pid) &&
    optional(value.startTicks, 'number') &&
    optional(value.started, 'string') &&
    optional(value.boot, 'string') &&
    optional(value.command, 'string') &&
    (value.pgid === undefined || isValidPid(value.pgid))
  )
}

function isIdentityList(value: unknown): value is ProcessIdentity[] {
  return Array.isArray(value) && value.every(isProcessIdentity)
}

function isPortMap(value: unknown): value is Record<string, number> {
  return isObject(value) && Object.values(value).every(isPort)
}

function isSupervisorState(value: unknown): value is SupervisorState {
  return (
    isObject(value) &&
    Array.isArray(value.forwards) &&
    value.forwards.every(
      (f: unknown) =>
        isObject(f) &&
        typeof f.name === 'string' &&
        isPort(f.localPort) &&
        isPort(f.remotePort) &&
        typeof f.target === 'string' &&
        FORWARD_STATES.has(f.state as string) &&
        Number.isInteger(f.restarts) &&
        (f.tunnelPort === undefined || isPort(f.tunnelPort)) &&
        optional(f.lastError, 'string'),
    )
  )
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
