/**
 * A fake cluster environment for e2e and integration tests: a PATH holding the fakes of
 * test/fakes (kind, kubectl, helm, optionally minikube) beside the real docker CLI and node,
 * a private HOME and KUBECONFIG, the private Docker engine, and the fakes' state directory.
 * See test/fakes/README.md for the contract the fakes keep.
 */
import {execFileSync} from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {randomBytes} from 'node:crypto'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {DOCKER_CONFIG_WITH_COMPOSE, TOOLS, dockerCli, requireTool} from './toolchain.js'

export const FAKES_DIR = fileURLToPath(new URL('../fakes', import.meta.url))
/** The tiny local image every fake kind/minikube node runs (nothing can be pulled here). */
export const FAKE_NODE_IMAGE = 'geniro-dev-fake-node:2'
/** Debian's busybox-static, installed by scripts/toolchain.sh. */
const BUSYBOX = '/bin/busybox'

export type FakeTool = 'kind' | 'minikube' | 'kubectl' | 'helm'

/** One line of $GENIRO_FAKE_STATE/calls.jsonl. */
export interface Call {
  tool: FakeTool
  argv: string[]
  mutating: boolean
  /** ISO 8601. */
  time: string
}

/**
 * Breaks the pods of a component (or workload) of a release: they are not ready, show the
 * reason as their container's waiting reason and in a Warning event, and `kubectl logs`
 * prints `logs`. `helm upgrade --wait` on that release fails as real Helm does.
 */
export interface FailSpec {
  /** app.kubernetes.io/component of the pods to break. */
  component?: string
  /** Or the workload (Deployment/StatefulSet) name. */
  workload?: string
  /** Only this release (name) / namespace. */
  release?: string
  namespace?: string
  /** The container (default: the pod's first container). */
  container?: string
  /** Waiting reason, e.g. CrashLoopBackOff (default), ImagePullBackOff, ErrImagePull. */
  reason?: string
  message?: string
  logs?: string
  /** The Warning event's reason (default: the kubelet's, BackOff for CrashLoopBackOff). */
  eventReason?: string
  restartCount?: number
  exitCode?: number
}

export interface FakeEnvironmentOptions {
  helm: 'helm4' | 'helm3' | 'helm318'
  withMinikube?: boolean
  /** The private engine: inject('dockerHost'). */
  dockerHost: string
}

export interface FakeEnvironment {
  /** The whole environment for a child process (PATH is the fake bin dir only). */
  env: Record<string, string>
  /** The temporary directory holding bin/, home/, kubeconfig and state/. */
  dir: string
  binDir: string
  /** HOME of the environment (helm's and minikube's homes live below it). */
  home: string
  stateDir: string
  kubeconfig: string
  calls(): Call[]
  mutatingCalls(): Call[]
  /** Writes fail-release.json (null removes it). */
  failRelease(spec: FailSpec | FailSpec[] | null): void
  /** Removes the node containers and networks this environment's fakes made, then the dir. */
  cleanup(): void
}

function docker(dockerHost: string, args: string[], input?: Buffer): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: dockerHost},
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
}

/**
 * Builds the fake node image once on the engine: `docker import` of a rootfs holding busybox
 * with every applet linked in /bin, as the busybox images are laid out. A fake node runs
 * `sh` and `sleep`; the same image serves tests as a Compose service (`httpd`, `nc`) and as
 * bridge mode's probe image (`sh`, `nc`).
 */
export function ensureNodeImage(dockerHost: string): string {
  try {
    docker(dockerHost, ['image', 'inspect', FAKE_NODE_IMAGE])
    return FAKE_NODE_IMAGE
  } catch {
    // not built yet on this engine
  }
  const root = mkdtempSync(path.join(tmpdir(), 'gdev-node-rootfs-'))
  try {
    mkdirSync(path.join(root, 'bin'))
    for (const dir of ['etc', 'tmp']) mkdirSync(path.join(root, dir))
    writeFileSync(path.join(root, 'bin', 'busybox'), readFileSync(requireTool(BUSYBOX)), {
      mode: 0o755,
    })
    const applets = execFileSync(requireTool(BUSYBOX), ['--list'], {encoding: 'utf8'})
    for (const applet of applets.split('\n').filter((name) => name && name !== 'busybox'))
      symlinkSync('busybox', path.join(root, 'bin', applet))
    const tarball = execFileSync('tar', ['-C', root, '-cf', '-', '.'], {
      maxBuffer: 64 * 1024 * 1024,
    })
    docker(dockerHost, ['import', '-', FAKE_NODE_IMAGE], tarball)
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
  return FAKE_NODE_IMAGE
}

export function fakeEnvironment(options: FakeEnvironmentOptions): FakeEnvironment {
  ensureNodeImage(options.dockerHost)
  const id = randomBytes(6).toString('hex')
  const dir = mkdtempSync(path.join(tmpdir(), 'gdev-fake-'))
  const binDir = path.join(dir, 'bin')
  const home = path.join(dir, 'home')
  const stateDir = path.join(dir, 'state')
  const kubeconfig = path.join(dir, 'kubeconfig')
  for (const d of [binDir, home, stateDir]) mkdirSync(d, {recursive: true})

  const tools: Array<[string, string]> = [
    ['kind', path.join(FAKES_DIR, 'kind')],
    ['kubectl', path.join(FAKES_DIR, 'kubectl')],
    ['helm', path.join(FAKES_DIR, 'helm')],
    ['docker', dockerCli()],
    // The fakes are `#!/usr/bin/env node` scripts: node must be on the PATH they get.
    ['node', process.execPath],
  ]
  if (options.withMinikube) tools.push(['minikube', path.join(FAKES_DIR, 'minikube')])
  for (const [name, target] of tools) symlinkSync(target, path.join(binDir, name))

  const env: Record<string, string> = {
    PATH: binDir,
    HOME: home,
    KUBECONFIG: kubeconfig,
    DOCKER_HOST: options.dockerHost,
    DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE,
    GENIRO_FAKE_STATE: stateDir,
    GENIRO_FAKE_ID: id,
    GENIRO_FAKE_REAL_KIND: requireTool(TOOLS.kind),
    GENIRO_FAKE_REAL_KUBECTL: requireTool(TOOLS.kubectl134),
    GENIRO_FAKE_REAL_HELM: requireTool(TOOLS[options.helm]),
    GENIRO_FAKE_DOCKER: dockerCli(),
    GENIRO_FAKE_NODE_IMAGE: FAKE_NODE_IMAGE,
    // The forward supervisors' state (pidfiles, logs) stays inside the environment.
    GENIRO_DEV_STATE_DIR: path.join(dir, 'geniro-dev-state'),
  }

  const calls = (): Call[] => {
    const file = path.join(stateDir, 'calls.jsonl')
    if (!existsSync(file)) return []
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Call)
  }

  return {
    env,
    dir,
    binDir,
    home,
    stateDir,
    kubeconfig,
    calls,
    mutatingCalls: () => calls().filter((call) => call.mutating),
    failRelease(spec) {
      const file = path.join(stateDir, 'fail-release.json')
      if (spec === null) rmSync(file, {force: true})
      else writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`)
    },
    cleanup() {
      const label = `label=geniro-dev.fake.env=${id}`
      try {
        killForwardProcesses(env.GENIRO_DEV_STATE_DIR!, stateDir)
        const containers = docker(options.dockerHost, ['ps', '-aq', '--filter', label])
          .split('\n')
          .filter(Boolean)
        if (containers.length > 0) docker(options.dockerHost, ['rm', '-f', '-v', ...containers])
        const networks = docker(options.dockerHost, ['network', 'ls', '-q', '--filter', label])
          .split('\n')
          .filter(Boolean)
        if (networks.length > 0) docker(options.dockerHost, ['network', 'rm', ...networks])
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}

/**
 * Forward supervisors the tests started (each leads its own process group) and any fake
 * `kubectl port-forward` still registered: a failed test must not leave them running.
 */
function killForwardProcesses(geniroState: string, fakeState: string): void {
  const pids: number[] = []
  const forwards = path.join(geniroState, 'forwards')
  for (const key of existsSync(forwards) ? readdirSync(forwards) : []) {
    const pidFile = path.join(forwards, key, 'supervisor.pid')
    if (existsSync(pidFile))
      pids.push(-(JSON.parse(readFileSync(pidFile, 'utf8')) as {pid: number}).pid)
  }
  const registry = path.join(fakeState, 'port-forwards')
  for (const file of existsSync(registry) ? readdirSync(registry) : []) {
    if (file.endsWith('.json')) pids.push(Number.parseInt(file, 10))
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}
