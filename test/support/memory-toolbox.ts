/**
 * A Toolbox whose adapters answer from memory: clusters, kube contexts and Helm releases are
 * entries in a MemoryWorld, and every mutating call is written to its journal. Services run
 * against it in-process (test/services): no child process, no socket. Values files Helm is
 * given are read for real, so what a release stores is what `up` wrote for it.
 */
import {readFileSync} from 'node:fs'
import {chartIdentity} from '../../src/adapters/chart-source.js'
import type {ClusterProvider, ReachProbe} from '../../src/adapters/cluster-provider.js'
import {KIND_UNREACHABLE_HINT} from '../../src/adapters/kind.js'
import {MINIKUBE_UNREACHABLE_HINT} from '../../src/adapters/minikube.js'
import {kindNetworkName} from '../../src/core/host-address.js'
import type {TcpProbe, TcpProbeInput} from '../../src/core/tcp-probe.js'
import type {ReleaseInfo} from '../../src/adapters/helm.js'
import type {HostPorts} from '../../src/adapters/host-ports.js'
import type {RunOnceInput} from '../../src/adapters/kubectl.js'
import {
  identityFrom,
  type ProcessFacts,
  type ProcessTable,
} from '../../src/adapters/process-identity.js'
import {stateStore} from '../../src/adapters/state-root.js'
import type {SupervisorLauncher} from '../../src/adapters/supervisor-process.js'
import {readValuesFile} from '../../src/adapters/values-files.js'
import type {ComposePort} from '../../src/core/compose-model.js'
import type {ReleaseService} from '../../src/core/forward-plan.js'
import type {SupervisorSpec} from '../../src/forward/supervisor.js'
import type {ClusterSpec, ClusterState, ProviderName} from '../../src/core/cluster.js'
import {ToolFailedError, UserError} from '../../src/core/errors.js'
import {helmScope, helmUpgradeArgs, type UpgradeArgs} from '../../src/core/helm-args.js'
import {mergeValues, type Values} from '../../src/core/set-values.js'
import type {ServiceContext} from '../../src/services/context.js'
import type {Toolbox} from '../../src/services/toolbox.js'

export interface MemoryCluster {
  provider: ProviderName
  state: ClusterState
}

export interface MemoryRelease {
  info: ReleaseInfo
  /** The user-supplied values, merged in the order Helm read them. */
  values: Values
}

export class MemoryWorld {
  readonly clusters = new Map<string, MemoryCluster>()
  /** kube context → API server URL. */
  readonly contexts = new Map<string, string>()
  /** `context/namespace/release` → the release. */
  readonly releases = new Map<string, MemoryRelease>()
  /** Mutating calls, in order, as short argv-like lines. */
  readonly journal: string[] = []
  installed: Record<ProviderName, boolean> = {kind: true, minikube: false}
  /** The next `helm upgrade --install` fails with this stderr (then it is cleared). */
  failNextUpgrade?: string

  /** Docker networks by name, with their IPv4 gateway. */
  readonly networks = new Map<string, {gateway?: string}>()
  /** Containers by name: the networks they are on, with their address there. */
  readonly containers = new Map<string, Record<string, string>>()
  /** What a probe container on `network` finds at host:port (default: refused). */
  reach: (network: string, host: string, port: number) => TcpProbe = () => REFUSED
  /** minikube profiles (`minikube profile list`) and each one's host.minikube.internal. */
  readonly minikubeProfiles: Array<{name: string; driver: string; hostAddress?: string}> = []
  /** What every cluster's API server says it runs. */
  kubernetesVersion = 'v1.34.0'
  /** Local ports something listens on, and who ("held by …" names it). */
  readonly boundPorts = new Map<number, string>()
  /** What `pg_isready` in a one-off pod prints for host:port. */
  podProbe: (host: string, port: number) => string = (host, port) => `${host}:${port} - no response`
  /** Ports the running Compose containers publish. */
  readonly composePorts: ComposePort[] = []
  /** Processes by pid, as /proc would show them; signals end them (see memoryProcesses). */
  readonly processes = new Map<number, ProcessFacts>()
  private lastPid = 40_000
  /** How a supervisor launched here reports its forwards. */
  supervisorSettles: 'ready' | 'failed' = 'ready'
  /** The Services of a release, by its kube context, namespace and name (default: the chart's). */
  services: (context: string, namespace: string, release: string) => ReleaseService[] = (
    _context,
    _namespace,
    release,
  ) => chartServices(release)

  /** A process running `command`, leading its own group unless `pgid` says another. */
  spawn(command: string, pgid?: number): ProcessFacts {
    const pid = ++this.lastPid
    const facts = {
      pid,
      pgid: pgid ?? pid,
      zombie: false,
      startTicks: pid * 7,
      boot: 'memory',
      command,
    }
    this.processes.set(pid, facts)
    return facts
  }

  /** A running kind cluster with its loopback context, as `kind create cluster` leaves it. */
  addKindCluster(name: string, state: ClusterState = 'running'): void {
    this.clusters.set(name, {provider: 'kind', state})
    this.contexts.set(`kind-${name}`, 'https://127.0.0.1:39017')
  }

  release(context: string, namespace: string, name: string): MemoryRelease | undefined {
    return this.releases.get(`${context}/${namespace}/${name}`)
  }

  setRelease(context: string, release: MemoryRelease): void {
    this.releases.set(`${context}/${release.info.namespace}/${release.info.name}`, release)
  }

  /** A deployed release with no values of its own, as a finished `up` leaves it. */
  installRelease(context: string, name: string, namespace = 'geniro'): void {
    this.setRelease(context, {
      info: {
        name,
        namespace,
        revision: 1,
        status: 'deployed',
        chart: 'geniro-0.1.0',
        appVersion: '0.1.0',
        description: '',
      },
      values: {},
    })
  }
}

export const REFUSED: TcpProbe = {reachable: false, reason: 'refused', detail: 'Connection refused'}
export const TIMED_OUT: TcpProbe = {reachable: false, reason: 'timeout', detail: 'timed out'}
export const CONNECTED: TcpProbe = {reachable: true, reason: 'connected', detail: 'open'}

class MemoryProvider implements ClusterProvider {
  constructor(
    readonly name: ProviderName,
    private readonly world: MemoryWorld,
  ) {}

  async installed(): Promise<boolean> {
    return this.world.installed[this.name]
  }

  async state(cluster: string): Promise<ClusterState> {
    const found = this.world.clusters.get(cluster)
    return found?.provider === this.name ? found.state : 'absent'
  }

  contextName(cluster: string): string {
    return this.name === 'kind' ? `kind-${cluster}` : cluster
  }

  async apiServerHosts(): Promise<string[]> {
    return []
  }

  createCommand(spec: ClusterSpec): string[] {
    return [this.name, 'create', 'cluster', '--name', spec.name]
  }

  startCommand(cluster: string): string[] {
    return [this.name, 'start', cluster]
  }

  deleteCommand(cluster: string): string[] {
    return [this.name, 'delete', 'cluster', '--name', cluster]
  }

  async create(spec: ClusterSpec): Promise<void> {
    this.world.journal.push(this.createCommand(spec).join(' '))
    this.world.clusters.set(spec.name, {provider: this.name, state: 'running'})
    this.world.contexts.set(this.contextName(spec.name), 'https://127.0.0.1:39017')
  }

  async start(cluster: string): Promise<void> {
    this.world.journal.push(this.startCommand(cluster).join(' '))
    this.world.clusters.set(cluster, {provider: this.name, state: 'running'})
  }

  /** minikube only: its profiles and the host address its pods use. */
  async profiles(): Promise<Array<{name: string; driver: string}>> {
    return this.world.minikubeProfiles
  }

  // Bridge mode, as Kind and Minikube answer it (see their adapters).

  nodeNetwork(cluster: string, env: Readonly<Record<string, string | undefined>>): string {
    return this.name === 'kind' ? kindNetworkName(env) : cluster
  }

  async hostAddress(cluster: string, network: {name: string; gateway?: string}): Promise<string> {
    const address =
      this.name === 'kind'
        ? network.gateway
        : this.world.minikubeProfiles.find((p) => p.name === cluster)?.hostAddress
    if (address) return address
    throw new UserError(`memory: no host address for ${this.name} cluster "${cluster}"`)
  }

  async reachProbe(cluster: string): Promise<ReachProbe> {
    const driver = this.world.minikubeProfiles.find((p) => p.name === cluster)?.driver
    return this.name === 'minikube' && driver && !['docker', 'podman'].includes(driver)
      ? {via: 'pod', reason: `driver ${driver}`}
      : {via: 'network'}
  }

  get unreachableHint(): string {
    return this.name === 'kind' ? KIND_UNREACHABLE_HINT : MINIKUBE_UNREACHABLE_HINT
  }

  async delete(cluster: string): Promise<void> {
    this.world.journal.push(this.deleteCommand(cluster).join(' '))
    this.world.clusters.delete(cluster)
    this.world.contexts.delete(this.contextName(cluster))
    for (const key of [...this.world.releases.keys()]) {
      if (key.startsWith(`${this.contextName(cluster)}/`)) this.world.releases.delete(key)
    }
  }
}

class MemoryHelm {
  readonly binary = 'helm'
  constructor(private readonly world: MemoryWorld) {}

  async upgradeArgs(input: Omit<UpgradeArgs, 'helmMajor'>): Promise<string[]> {
    return ['helm', ...helmUpgradeArgs({...input, helmMajor: 4})]
  }

  async upgradeInstall(argv: string[]): Promise<void> {
    this.world.journal.push('helm upgrade --install')
    const option = (flag: string) => argv[argv.indexOf(flag) + 1]!
    const [name, chartDir] = [argv[3]!, argv[4]!]
    const namespace = option('--namespace')
    const context = option('--kube-context')
    if (this.world.failNextUpgrade) {
      const stderr = this.world.failNextUpgrade
      this.world.failNextUpgrade = undefined
      throw new ToolFailedError(argv.join(' '), 1, [stderr])
    }
    let values: Values = {}
    for (const [i, arg] of argv.entries()) {
      if (arg === '--values') values = mergeValues(values, await readValuesFile(argv[i + 1]!))
    }
    const previous = this.world.release(context, namespace, name)
    const chart = await chartIdentity(chartDir)
    this.world.setRelease(context, {
      info: {
        name,
        namespace,
        revision: (previous?.info.revision ?? 0) + 1,
        status: 'deployed',
        chart: `${chart.name}-${chart.version}`,
        appVersion: '',
        description: option('--description'),
      },
      values,
    })
  }

  async release(
    name: string,
    namespace: string,
    context: string,
  ): Promise<ReleaseInfo | undefined> {
    return this.world.release(context, namespace, name)?.info
  }

  async userValues(name: string, namespace: string, context: string): Promise<Values> {
    return this.world.release(context, namespace, name)?.values ?? {}
  }

  rollbackArgs(name: string, namespace: string, context: string): string[] {
    return ['helm', 'rollback', name, ...helmScope(namespace, context), '--wait']
  }

  async rollback(name: string, namespace: string, context: string): Promise<void> {
    this.world.journal.push(`helm rollback ${name}`)
    const release = this.world.release(context, namespace, name)!
    release.info = {...release.info, revision: release.info.revision + 1, status: 'deployed'}
  }

  uninstallArgs(name: string, namespace: string, context: string): string[] {
    return ['helm', 'uninstall', name, ...helmScope(namespace, context), '--wait']
  }

  async uninstall(name: string, namespace: string, context: string): Promise<boolean> {
    this.world.journal.push(`helm uninstall ${name}`)
    return this.world.releases.delete(`${context}/${namespace}/${name}`)
  }
}

class MemoryDocker {
  constructor(private readonly world: MemoryWorld) {}

  async composePorts(): Promise<ComposePort[]> {
    return [...this.world.composePorts]
  }

  async info() {
    return {serverVersion: '28.5.0', operatingSystem: 'Debian GNU/Linux', name: 'memory'}
  }

  async isDesktop(): Promise<boolean> {
    return false
  }

  async networkGateway(network: string): Promise<string | undefined> {
    return this.world.networks.get(network)?.gateway
  }

  async probeTcp(input: TcpProbeInput): Promise<TcpProbe> {
    return this.world.reach(input.network, input.host, input.port)
  }

  async containerNetworks(container: string): Promise<Record<string, string> | undefined> {
    return this.world.containers.get(container)
  }

  async containerAddress(container: string, network: string): Promise<string | undefined> {
    return this.world.containers.get(container)?.[network]
  }

  async connectNetwork(network: string, container: string): Promise<'connected' | 'already'> {
    const networks = this.world.containers.get(container) ?? {}
    if (network in networks) return 'already'
    this.world.journal.push(`docker network connect ${network} ${container}`)
    const taken = [...this.world.containers.values()].filter((n) => network in n).length
    this.world.containers.set(container, {...networks, [network]: `172.18.0.${10 + taken}`})
    return 'connected'
  }

  async disconnectNetwork(network: string, container: string): Promise<void> {
    this.world.journal.push(`docker network disconnect ${network} ${container}`)
    const networks = {...this.world.containers.get(container)}
    delete networks[network]
    this.world.containers.set(container, networks)
  }
}

class MemoryKubectl {
  constructor(private readonly world: MemoryWorld) {}

  async releaseServices(
    release: string,
    namespace: string,
    context: string,
  ): Promise<ReleaseService[]> {
    return this.world.release(context, namespace, release)
      ? this.world.services(context, namespace, release)
      : []
  }

  async serverVersion(context: string): Promise<string | undefined> {
    return this.world.contexts.has(context) ? this.world.kubernetesVersion : undefined
  }

  async runOnce(input: RunOnceInput): Promise<{exitCode: number; output: string}> {
    this.world.journal.push(`kubectl run ${input.image} ${input.command.join(' ')}`)
    const host = input.command[input.command.indexOf('--host') + 1]!
    const port = Number(input.command[input.command.indexOf('--port') + 1])
    const output = this.world.podProbe(host, port)
    return {exitCode: /accepting/.test(output) ? 0 : 1, output}
  }
}

/** The host's ports from the world: bound ones are taken on 127.0.0.1. */
function memoryHostPorts(world: MemoryWorld): HostPorts {
  return {
    addressesInUse: async (port) => (world.boundPorts.has(port) ? ['127.0.0.1'] : []),
    findPortHolder: async (port) => {
      const description = world.boundPorts.get(port)
      return description ? {description} : undefined
    },
    firstFreePort: async (candidates, exclude) => {
      const skipped = new Set(exclude)
      return candidates.find((port) => !skipped.has(port) && !world.boundPorts.has(port))
    },
  }
}

// The chart's default Service ports, named as its service.yaml templates name them.
// The chart's default Service ports, by the names its service.yaml templates give them.
const CHART_PORTS: Readonly<Record<string, ReadonlyArray<{name: string; port: number}>>> = {
  api: [{name: 'http', port: 5000}],
  web: [{name: 'http', port: 4173}],
  litellm: [{name: 'http', port: 4000}],
  keycloak: [{name: 'http', port: 80}],
  postgresql: [{name: 'postgresql', port: 5432}],
  redis: [{name: 'redis', port: 6379}],
  qdrant: [
    {name: 'http', port: 6333},
    {name: 'grpc', port: 6334},
  ],
}

/** A release's Services as the chart's defaults make them (`<release>-geniro-<component>`). */
export function chartServices(release: string): ReleaseService[] {
  const fullname = release.includes('geniro') ? release : `${release}-geniro`
  return Object.entries(CHART_PORTS).map(([component, ports]) => ({
    component,
    name: `${fullname}-${component}`,
    ports: [...ports],
  }))
}

/**
 * The world's processes: TERM and KILL end a process (a group signal, every member), and each
 * signal is journalled (`kill -TERM 40001`, `kill -TERM -40001` for a group).
 */
function memoryProcesses(world: MemoryWorld): ProcessTable {
  const end = (pid: number, signal: NodeJS.Signals, group: boolean): boolean => {
    const members = group
      ? [...world.processes.values()].filter((p) => p.pgid === pid)
      : [world.processes.get(pid)].filter((p) => p !== undefined)
    if (members.length === 0) return false
    world.journal.push(`kill -${signal.replace('SIG', '')} ${group ? '-' : ''}${pid}`)
    for (const member of members) world.processes.delete(member.pid)
    return true
  }
  return {
    inspect: (pid) => world.processes.get(pid),
    signal: (pid, signal) => end(pid, signal, false),
    signalGroup: (leader, signal) => leader.pgid === leader.pid && end(leader.pid, signal, true),
  }
}

/**
 * Launches a supervisor as the real one behaves once it runs: it records itself and one
 * kubectl tunnel per forward (in its group), then publishes its forwards, all ready or failed
 * as `world.supervisorSettles` says.
 */
function memorySupervisors(world: MemoryWorld, processes: ProcessTable): SupervisorLauncher {
  return {
    launch(files) {
      const spec = JSON.parse(readFileSync(files.specFile, 'utf8')) as SupervisorSpec
      const supervisor = world.spawn(
        `node /geniro-dev/dist/forward/forward-supervisor.js ${files.dir}`,
      )
      world.journal.push(
        `start supervisor for ${spec.kubeContext}/${spec.namespace}/${spec.release}`,
      )
      files.writeSupervisor(supervisor.pid)
      files.writeTunnels(
        spec.forwards.map((forward) =>
          identityFrom(
            world.spawn(
              `kubectl port-forward ${forward.target} :${forward.remotePort}`,
              supervisor.pid,
            ),
          ),
        ),
      )
      files.writeState({
        pid: supervisor.pid,
        startedAt: new Date(0).toISOString(),
        kubeContext: spec.kubeContext,
        namespace: spec.namespace,
        release: spec.release,
        logFile: files.logFile,
        forwards: spec.forwards.map((forward) => ({
          ...forward,
          state: world.supervisorSettles,
          restarts: 0,
        })),
      })
      return {
        exitCode: () => (world.processes.has(supervisor.pid) ? undefined : null),
        kill: () => void processes.signal(supervisor.pid, 'SIGKILL'),
      }
    },
  }
}

/** Adapters over the world; only what the services under test call is there. */
export function memoryToolbox(world: MemoryWorld): Toolbox {
  const processes = memoryProcesses(world)
  const unused = (adapter: string) =>
    new Proxy(
      {},
      {
        get: (_target, method) => () => {
          throw new Error(`the memory toolbox has no ${adapter}.${String(method)}`)
        },
      },
    )
  return {
    exec: () => Promise.reject(new Error('the memory toolbox runs no process')),
    providers: {
      kind: new MemoryProvider('kind', world),
      minikube: new MemoryProvider('minikube', world),
    },
    helm: new MemoryHelm(world),
    kubectl: new MemoryKubectl(world),
    kubeconfig: {server: async (context: string) => world.contexts.get(context)},
    docker: new MemoryDocker(world),
    compose: unused('compose'),
    hostPorts: memoryHostPorts(world),
    state: stateStore(processes),
    supervisors: memorySupervisors(world, processes),
  } as unknown as Toolbox
}

/**
 * A service context over the world: confirmations get `answer` (each question is kept), progress
 * is silent, notes are kept.
 */
export function memoryContext(
  world: MemoryWorld,
  answer = false,
): ServiceContext & {questions: string[]; notes: string[]} {
  const questions: string[] = []
  const notes: string[] = []
  return {
    tools: memoryToolbox(world),
    signal: new AbortController().signal,
    silent: true,
    confirm: async (question) => {
      questions.push(question)
      return answer
    },
    note: (line) => notes.push(line),
    questions,
    notes,
  }
}
