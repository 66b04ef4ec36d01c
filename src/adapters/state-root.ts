// Where geniro-dev keeps its state (GENIRO_DEV_STATE_DIR, else XDG_STATE_HOME) and the
// state dir of each context, namespace and release below it.
import {readdirSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join, resolve} from 'node:path'
import {validateNamespace, validateReleaseName} from '../core/cluster.js'
import {forwardKey, parseForwardKey} from '../core/forward-key.js'
import {ForwardStateDir, type ForwardStateLocation} from './forward-state.js'
import {systemProcesses, type ProcessTable} from './process-identity.js'
import {makeWritableDir} from './state-files.js'

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

/**
 * The files of the forwards of one kube context, namespace and release. The names are
 * checked (exit 2 for a bad one) and the directory is always one level below
 * `<root>/forwards`: no input reaches a file outside the state root.
 */
export function forwardStateDir(
  root: string,
  location: ForwardStateLocation,
  processes: ProcessTable = systemProcesses,
): ForwardStateDir {
  const {kubeContext, namespace, release} = location
  validateNamespace(namespace)
  validateReleaseName(release)
  const base = join(root, 'forwards')
  const dir = join(base, forwardKey(kubeContext, namespace, release))
  if (dirname(dir) !== base) throw new Error(`state dir ${dir} escapes ${base}`)
  return new ForwardStateDir(dir, {kubeContext, namespace, release}, processes)
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
  processes: ProcessTable = systemProcesses,
): ForwardStateDir[] {
  const base = join(root, 'forwards')
  return listDir(base).flatMap((name) => {
    const where = parseForwardKey(name, kubeContext)
    if (!where) return []
    try {
      return [forwardStateDir(root, {kubeContext, ...where}, processes)]
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

/** The state dirs a service reads and writes, and the process table their records are proven in. */
export interface StateStore {
  /** One release's (forwardStateDir); the root is read when asked, as the command's env has it. */
  releaseDir(location: ForwardStateLocation): ForwardStateDir
  /** Every namespace's and release's of a kube context (contextStateDirs). */
  contextDirs(kubeContext: string): ForwardStateDir[]
  /** ensureStateDirWritable, for one release's dir. */
  ensureWritable(location: ForwardStateLocation): void
}

export function stateStore(processes: ProcessTable = systemProcesses): StateStore {
  return {
    releaseDir: (location) => forwardStateDir(stateRoot(), location, processes),
    contextDirs: (kubeContext) => contextStateDirs(kubeContext, stateRoot(), processes),
    ensureWritable: (location) => ensureStateDirWritable(location),
  }
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
