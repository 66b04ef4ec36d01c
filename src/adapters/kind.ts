import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {ClusterSpec, ClusterState} from '../core/cluster.js'
import {InterruptedError, TimeoutError, ToolFailedError, UserError} from '../core/errors.js'
import {kindNodeImage} from '../core/kind-node-image.js'
import {kindTooOld} from '../core/tool-failures.js'
import {kindNetworkName} from '../core/host-address.js'
import type {ClusterProvider, ReachProbe} from './cluster-provider.js'
import {Docker} from './docker.js'
import type {Exec} from './exec.js'
import {Kubeconfig} from './kubeconfig.js'
import {Kubectl} from './kubectl.js'
import {KIND_CONFIG_TEMPLATE} from './package-files.js'
import {ensurePrivateDir, privateTempDir} from './private-dir.js'
import {ToolAdapter} from './tool.js'

const CREATE_TIMEOUT_MS = 10 * 60_000
const DELETE_TIMEOUT_MS = 5 * 60_000
// `docker save` of a large image, then an import into each node.
const LOAD_IMAGE_TIMEOUT_MS = 10 * 60_000
const DOCKER_START_TIMEOUT_MS = 2 * 60_000
const READY_TIMEOUT_MS = 3 * 60_000
const READY_POLL_MS = 2_000
const READY_PROBE_TIMEOUT_MS = 15_000
const ALREADY_EXISTS = /node\(s\) already exist for a cluster/

export interface KindOptions {
  /** Reads and restores the user's current context around `create`. */
  kubeconfig?: Kubeconfig
  /** kubectl binary for the readiness probe after `start` (and the default Kubeconfig). */
  kubectl?: string
  /**
   * Where `create` writes the rendered kind config. Default: `<os tmpdir>/geniro-dev-<uid>`,
   * created 0700 and refused unless it is a directory of ours that nobody else can write.
   */
  configDir?: string
  /** How long `start` waits for the API server's /readyz to answer ok. */
  readyTimeoutMs?: number
  readyPollMs?: number
}

/** What to try when pods of a kind cluster cannot reach a port the host publishes. */
export const KIND_UNREACHABLE_HINT =
  'publish the port on all addresses (not 127.0.0.1), or pass --host-address with an address the pods reach'

/**
 * kind (https://kind.sigs.k8s.io) as a cluster provider. kind runs each node as a Docker
 * container named `<cluster>-control-plane` and writes the kube context `kind-<cluster>`.
 *
 * Node containers are inspected and started with the `docker` CLI, so this assumes kind's
 * default Docker provider (KIND_EXPERIMENTAL_PROVIDER=podman is not supported here).
 */
export class Kind extends ToolAdapter implements ClusterProvider {
  readonly name = 'kind' as const
  private readonly kubeconfig: Kubeconfig
  private readonly kubectl: Kubectl
  private readonly configDir: string
  private readonly readyTimeoutMs: number
  private readonly readyPollMs: number

  constructor(
    exec?: Exec,
    binary = 'kind',
    private readonly docker = new Docker(exec),
    options: KindOptions = {},
  ) {
    super(exec, binary)
    const kubectl = options.kubectl ?? 'kubectl'
    this.kubectl = new Kubectl(exec, kubectl)
    this.kubeconfig = options.kubeconfig ?? new Kubeconfig(exec, kubectl)
    this.configDir = options.configDir ?? privateTempDir()
    this.readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS
    this.readyPollMs = options.readyPollMs ?? READY_POLL_MS
  }

  /** e.g. "kind v0.27.0 go1.24.4 linux/amd64". */
  async version(signal?: AbortSignal): Promise<string> {
    return (await this.run(['version'], {signal})).stdout.trim()
  }

  installed(signal?: AbortSignal): Promise<boolean> {
    return this.answers(() => this.version(signal))
  }

  /** Cluster names, one per line on stdout ("No kind clusters found." goes to stderr). */
  async clusters(signal?: AbortSignal): Promise<string[]> {
    return lines((await this.run(['get', 'clusters'], {signal})).stdout)
  }

  /** Node container names of a cluster; empty when it has none. */
  async nodes(cluster: string, signal?: AbortSignal): Promise<string[]> {
    return lines((await this.run(['get', 'nodes', '--name', cluster], {signal})).stdout)
  }

  /** The node containers' names and their addresses on every network they are on. */
  async apiServerHosts(cluster: string, signal?: AbortSignal): Promise<string[]> {
    const hosts: string[] = []
    for (const node of await this.nodes(cluster, signal)) {
      const networks = await this.docker.containerNetworks(node, signal)
      hosts.push(node, ...Object.values(networks ?? {}).filter(Boolean))
    }
    return hosts
  }

  async state(cluster: string, signal?: AbortSignal): Promise<ClusterState> {
    if (!(await this.clusters(signal)).includes(cluster)) return 'absent'
    const running = await this.docker.containerRunning(controlPlane(cluster), signal)
    if (running !== undefined) return running ? 'running' : 'stopped'
    // kind listed the cluster, so some container still carries its label, yet the
    // control-plane container is gone. Not "absent": `kind create cluster` would fail with
    // "node(s) already exist". "stopped" sends the caller to start(), which starts whatever
    // nodes kind still knows and then fails on /readyz with a clear timeout; `--recreate`
    // (delete, then create) is the way out.
    return 'stopped'
  }

  contextName(cluster: string): string {
    return `kind-${cluster}`
  }

  /** Every kind cluster shares one network: "kind", or KIND_EXPERIMENTAL_DOCKER_NETWORK. */
  nodeNetwork(_cluster: string, env: Readonly<Record<string, string | undefined>>): string {
    return kindNetworkName(env)
  }

  /** Docker Desktop's name for the host, else the node network's gateway. */
  async hostAddress(_cluster: string, network: {name: string; gateway?: string}): Promise<string> {
    if (await this.docker.isDesktop()) return 'host.docker.internal'
    if (network.gateway) return network.gateway
    throw new UserError(
      `the Docker network "${network.name}" has no IPv4 gateway to reach the host at`,
      'create the cluster first (`geniro-dev up`), or pass --host-address',
    )
  }

  /** The nodes are containers: a container on their network sees what a pod sees. */
  async reachProbe(): Promise<ReachProbe> {
    return {via: 'network'}
  }

  readonly unreachableHint = KIND_UNREACHABLE_HINT

  /**
   * The config file lives at a deterministic path (`<configDir>/kind-<cluster>.yaml`), so the
   * argv of a dry run is exactly what `create` runs; `create` writes the file first.
   */
  configPath(cluster: string): string {
    return join(this.configDir, `kind-${cluster}.yaml`)
  }

  createCommand(spec: ClusterSpec): string[] {
    return [this.binary, ...this.createArgs(spec)]
  }

  /**
   * Only the control-plane node is named: start() lists the real nodes with
   * `kind get nodes` and waits for the API server's /readyz afterwards.
   */
  startCommand(cluster: string): string[] {
    return this.docker.startContainersCommand([controlPlane(cluster)])
  }

  deleteCommand(cluster: string): string[] {
    return [this.binary, 'delete', 'cluster', '--name', cluster]
  }

  /**
   * `kind load docker-image`: the engine's image into every node's containerd, under the same
   * name. kind skips nodes that already hold that image ID, so loading twice is cheap.
   */
  loadImageCommand(cluster: string, image: string): string[] {
    return [this.binary, 'load', 'docker-image', image, '--name', cluster]
  }

  async loadImage(cluster: string, image: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.loadImageCommand(cluster, image).slice(1), {
      signal,
      timeoutMs: LOAD_IMAGE_TIMEOUT_MS,
    })
  }

  /**
   * Renders and writes the kind config, then runs `kind create cluster`. kind switches the
   * current context to `kind-<cluster>`; the user's previous one is put back (or unset again
   * if there was none), also when the create fails or is interrupted.
   */
  async create(spec: ClusterSpec, signal?: AbortSignal): Promise<void> {
    const args = this.createArgs(spec)
    const [template, {renderKindConfig}] = await Promise.all([
      readFile(KIND_CONFIG_TEMPLATE, 'utf8'),
      import('../core/kind-config.js'),
    ])
    const config = renderKindConfig({name: spec.name, nodeImage: this.nodeImage(spec)}, template)
    await ensurePrivateDir(this.configDir)
    await writeFile(this.configPath(spec.name), config, {mode: 0o600})
    await this.kubeconfig.preservingCurrentContext(async () => {
      try {
        await this.run(args, {signal, timeoutMs: CREATE_TIMEOUT_MS})
      } catch (error) {
        if (error instanceof ToolFailedError && ALREADY_EXISTS.test(error.stderrTail)) {
          throw new UserError(
            `a kind cluster named "${spec.name}" already exists`,
            '`geniro-dev up` reuses it; pass --recreate to delete it and start over',
          )
        }
        if (error instanceof ToolFailedError) throw await this.explainCreate(error, spec, signal)
        throw error
      }
    }, signal)
  }

  /**
   * kind's words rarely say that kind itself is too old for the node image (kubeadm or the
   * node's boot fails instead): ask kind its version and say so when that explains it.
   */
  private async explainCreate(
    error: ToolFailedError,
    spec: ClusterSpec,
    signal?: AbortSignal,
  ): Promise<ToolFailedError> {
    const version = await this.version(signal).catch(() => undefined)
    const known = version ? kindTooOld(error.known, version, this.nodeImage(spec)) : undefined
    return known ? error.explainedAs(known) : error
  }

  /** Starts a stopped cluster's node containers, then waits until the API server is ready. */
  async start(cluster: string, signal?: AbortSignal): Promise<void> {
    const nodes = await this.nodes(cluster, signal)
    if (nodes.length === 0) {
      throw new UserError(
        `there is no kind cluster named "${cluster}"`,
        'run `geniro-dev up` to create it',
      )
    }
    await this.docker.startContainers(nodes, DOCKER_START_TIMEOUT_MS, signal)
    await this.waitReady(cluster, signal)
  }

  async delete(cluster: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.deleteCommand(cluster).slice(1), {signal, timeoutMs: DELETE_TIMEOUT_MS})
  }

  private nodeImage(spec: ClusterSpec): string {
    return kindNodeImage(spec.kubernetesVersion, spec.nodeImage)
  }

  private createArgs(spec: ClusterSpec): string[] {
    return [
      'create',
      'cluster',
      '--name',
      spec.name,
      '--config',
      this.configPath(spec.name),
      '--image',
      this.nodeImage(spec),
      '--wait',
      '120s',
    ]
  }

  /** Polls `kubectl get --raw /readyz` until it answers "ok", the deadline, or an abort. */
  private async waitReady(cluster: string, signal?: AbortSignal): Promise<void> {
    const context = this.contextName(cluster)
    const deadline = Date.now() + this.readyTimeoutMs
    let last = 'no answer'
    for (;;) {
      try {
        const answer = await this.kubectl.readyz(context, READY_PROBE_TIMEOUT_MS, signal)
        if (answer === 'ok') return
        last = answer || 'an empty answer'
      } catch (error) {
        if (!(error instanceof ToolFailedError || error instanceof TimeoutError)) throw error
        last = error.message
      }
      if (Date.now() + this.readyPollMs > deadline) {
        throw new TimeoutError(
          [this.kubectl.binary, ...this.kubectl.readyzArgs(context)].join(' '),
          this.readyTimeoutMs,
          `the API server of "${cluster}" is not ready (last: ${last}); see \`docker logs ${controlPlane(cluster)}\`, or pass --recreate`,
        )
      }
      await pause(this.readyPollMs, signal)
    }
  }
}

function controlPlane(cluster: string): string {
  return `${cluster}-control-plane`
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const interrupted = () => new InterruptedError('interrupted while waiting for the cluster')
    if (signal?.aborted) return reject(interrupted())
    const onAbort = () => {
      clearTimeout(timer)
      reject(interrupted())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
