/**
 * A fake cluster environment for e2e and integration tests: a PATH holding the fakes of
 * test/fakes (kind, kubectl, helm, optionally minikube) beside the real docker CLI and node,
 * a private HOME and KUBECONFIG, the private Docker engine, and the fakes' state directory.
 * See test/fakes/README.md for the contract the fakes keep.
 */
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
import {busyboxImageTag, dockerOn, ensureBusyboxImage} from './busybox-image.js'
import {DOCKER_CONFIG_WITH_COMPOSE, TOOLS, dockerCli, requireTool} from './toolchain.js'

export const FAKES_DIR = fileURLToPath(new URL('../fakes', import.meta.url))
/** The tiny local image every fake kind/minikube node runs (nothing can be pulled here). */
export const FAKE_NODE_IMAGE = busyboxImageTag()

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

/** Builds the fake node image once on the engine (see busybox-image.ts). */
export function ensureNodeImage(dockerHost: string): string {
  return ensureBusyboxImage(dockerHost)
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
        const containers = dockerOn(options.dockerHost, ['ps', '-aq', '--filter', label])
          .split('\n')
          .filter(Boolean)
        if (containers.length > 0) dockerOn(options.dockerHost, ['rm', '-f', '-v', ...containers])
        const networks = dockerOn(options.dockerHost, ['network', 'ls', '-q', '--filter', label])
          .split('\n')
          .filter(Boolean)
        if (networks.length > 0) dockerOn(options.dockerHost, ['network', 'rm', ...networks])
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
