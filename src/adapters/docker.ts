import {randomBytes} from 'node:crypto'
import type {ComposePort} from '../core/compose-model.js'
import {TimeoutError, ToolFailedError, formatDuration} from '../core/errors.js'
import {pickIpv4Gateway} from '../core/host-address.js'
import {
  parseProbeOutput,
  PROBE_CONTAINER_PREFIX,
  PROBE_SCRIPT,
  type TcpProbe,
  type TcpProbeInput,
} from '../core/tcp-probe.js'
import {stderrTail, toolFailure, type Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

/** An image build: the Dockerfile, the build context and the tag it gets. */
export interface ImageBuild {
  dockerfile: string
  context: string
  tag: string
}

export interface DockerEngineInfo {
  serverVersion: string
  operatingSystem: string
  name: string
}

const NO_SUCH_CONTAINER = /No such (container|object)/i
// "Error: No such image: X" (20.10), "Error response from daemon: no such image: X: No such image: X".
const NO_SUCH_IMAGE = /No such image/i
// 20.10+: "network N not found"; older CLIs: "Error: No such network: N".
const NO_SUCH_NETWORK = /No such network|network \S+ not found/i
const ALREADY_CONNECTED = /already exists in network|already attached|already connected/i
const NOT_CONNECTED = /is not connected to (the )?network/i
/** `docker manifest inspect` is one small request: a registry that answers does so quickly. */
const REGISTRY_TIMEOUT_MS = 10_000
/** Go's net/http errors while reaching a registry (or the proxy in front of it). */
const REGISTRY_UNREACHABLE =
  /dial tcp|lookup |proxyconnect|no such host|i\/o timeout|network is unreachable|connection refused|TLS handshake timeout|Client\.Timeout/i

/** What a registry said about an image: has it, has no such image, did not answer, or other. */
export interface RegistryAnswer {
  state: 'found' | 'missing' | 'unreachable' | 'unknown'
  /** The CLI's words. */
  detail: string
}

/** Room for `docker run` itself (create, start, and a first pull of the probe image). */
const PROBE_OVERHEAD_MS = 90_000

/** The `docker` CLI: engine facts and containers. Compose has its own adapter. */
export class Docker extends ToolAdapter {
  constructor(exec?: Exec, binary = 'docker') {
    super(exec, binary)
  }

  /** Engine facts; throws ToolFailedError (with the CLI's own words) when the engine is unreachable. */
  async info(timeoutMs = 15_000): Promise<DockerEngineInfo> {
    const args = ['info', '--format', '{{json .}}']
    const result = await this.run(args, {timeoutMs})
    const info = this.parseJson<
      Partial<{
        ServerVersion: string
        OperatingSystem: string
        Name: string
        ServerErrors: string[]
      }>
    >(result)
    if (!info.ServerVersion) {
      // Older CLIs exit 0 and name the trouble in ServerErrors (and on stderr).
      const said = [...(info.ServerErrors ?? []), result.stderr].filter(Boolean).join('\n')
      throw toolFailure(this.binary, args, {
        exitCode: result.exitCode || 1,
        stdout: '',
        stderr: said || 'no server answered',
      })
    }
    return {
      serverVersion: info.ServerVersion,
      operatingSystem: info.OperatingSystem ?? 'unknown',
      name: info.Name ?? '',
    }
  }

  /** The engine endpoint the CLI talks to, for messages: DOCKER_HOST or the context's. */
  async endpoint(): Promise<string | undefined> {
    if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST
    try {
      const {stdout} = await this.run([
        'context',
        'inspect',
        '--format',
        '{{.Endpoints.docker.Host}}',
      ])
      return stdout.trim() || undefined
    } catch {
      return undefined
    }
  }

  /**
   * Whether a container runs; undefined when there is no such container. `docker container
   * inspect`, not bare `inspect`, which would also match an image or volume of that name.
   */
  async containerRunning(name: string, signal?: AbortSignal): Promise<boolean | undefined> {
    const args = ['container', 'inspect', '--format', '{{.State.Running}}', name]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return result.stdout.trim() === 'true'
    if (NO_SUCH_CONTAINER.test(result.stderr)) return undefined
    throw toolFailure(this.binary, args, result)
  }

  /** Whether the engine has the image (`docker image inspect`, nothing pulled). */
  async hasImage(image: string, signal?: AbortSignal): Promise<boolean> {
    const args = ['image', 'inspect', '--format', '{{.Id}}', image]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return true
    if (NO_SUCH_IMAGE.test(result.stderr)) return false
    throw toolFailure(this.binary, args, result)
  }

  /**
   * Asks the image's registry for its manifest (`docker manifest inspect`: one small request,
   * nothing pulled). The CLI asks, with its own proxy settings, not the engine: a fair guess at
   * whether the engine can pull, never a guarantee.
   */
  async registryAnswer(
    image: string,
    timeoutMs = REGISTRY_TIMEOUT_MS,
    signal?: AbortSignal,
  ): Promise<RegistryAnswer> {
    let result
    try {
      result = await this.run(['manifest', 'inspect', image], {timeoutMs, signal, okExitCodes: [1]})
    } catch (error) {
      if (error instanceof TimeoutError) {
        return {state: 'unreachable', detail: `no answer within ${formatDuration(timeoutMs)}`}
      }
      throw error
    }
    if (result.exitCode === 0) return {state: 'found', detail: 'the registry has it'}
    const detail = stderrTail(result.stderr || result.stdout) || `exit ${result.exitCode}`
    // docker/cli cli/registry/client/fetcher.go "no such manifest: REF"; a registry's 404.
    if (/no such manifest|manifest unknown/i.test(detail)) return {state: 'missing', detail}
    if (REGISTRY_UNREACHABLE.test(detail)) return {state: 'unreachable', detail}
    return {state: 'unknown', detail}
  }

  startContainersCommand(names: string[]): string[] {
    return [this.binary, 'start', ...names]
  }

  async startContainers(names: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.run(this.startContainersCommand(names).slice(1), {signal, timeoutMs})
  }

  /** Every port that a running Compose container publishes on this engine, any project. */
  async composePorts(): Promise<ComposePort[]> {
    const {stdout} = await this.run([
      'ps',
      '--filter',
      'label=com.docker.compose.project',
      '--format',
      '{{json .}}',
    ])
    // Loaded here: the Compose model brings the YAML parser, which `status` does not need.
    const {parseDockerPsCompose} = await import('../core/compose-runtime.js')
    return parseDockerPsCompose(stdout)
  }

  /**
   * The IPv4 gateway of a Docker network (kind's is dual-stack); undefined when there is no
   * such network.
   */
  async networkGateway(network: string, signal?: AbortSignal): Promise<string | undefined> {
    const args = ['network', 'inspect', '--format', '{{json .IPAM.Config}}', network]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode !== 0) {
      if (NO_SUCH_NETWORK.test(result.stderr)) return undefined
      throw toolFailure(this.binary, args, result)
    }
    const configs = this.parseJson<Array<{Subnet?: string; Gateway?: string}> | null>(
      result,
      'null',
    )
    return pickIpv4Gateway(configs ?? [])
  }

  /** Whether the engine is Docker Desktop's (its VM, where host.docker.internal works). */
  async isDesktop(): Promise<boolean> {
    return /docker desktop/i.test((await this.info()).operatingSystem)
  }

  /**
   * The networks a container is attached to, with its IPv4 address on each ('' while it is
   * stopped); undefined when there is no such container.
   */
  async containerNetworks(
    container: string,
    signal?: AbortSignal,
  ): Promise<Record<string, string> | undefined> {
    const args = [
      'container',
      'inspect',
      '--format',
      '{{json .NetworkSettings.Networks}}',
      container,
    ]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode !== 0) {
      if (NO_SUCH_CONTAINER.test(result.stderr)) return undefined
      throw toolFailure(this.binary, args, result)
    }
    const networks = (this.parseJson(result, 'null') ?? {}) as Record<
      string,
      {IPAddress?: string} | null
    >
    return Object.fromEntries(
      Object.entries(networks).map(([name, endpoint]) => [name, endpoint?.IPAddress ?? '']),
    )
  }

  /** A container's IPv4 address on a network; undefined when it is not (running) there. */
  async containerAddress(
    container: string,
    network: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    return (await this.containerNetworks(container, signal))?.[network] || undefined
  }

  /** `docker network connect`; 'already' when the container was attached before. */
  async connectNetwork(
    network: string,
    container: string,
    signal?: AbortSignal,
  ): Promise<'connected' | 'already'> {
    const networks = await this.containerNetworks(container, signal)
    if (networks && network in networks) return 'already'
    const args = ['network', 'connect', network, container]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return 'connected'
    if (ALREADY_CONNECTED.test(result.stderr)) return 'already'
    throw toolFailure(this.binary, args, result)
  }

  /**
   * `docker network disconnect`; 'not-connected' when the container was not attached (or is
   * gone), so undoing an attach twice is harmless.
   */
  async disconnectNetwork(
    network: string,
    container: string,
    signal?: AbortSignal,
  ): Promise<'disconnected' | 'not-connected'> {
    const networks = await this.containerNetworks(container, signal)
    if (!networks || !(network in networks)) return 'not-connected'
    const args = ['network', 'disconnect', network, container]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return 'disconnected'
    if (NOT_CONNECTED.test(result.stderr) || NO_SUCH_CONTAINER.test(result.stderr)) {
      return 'not-connected'
    }
    throw toolFailure(this.binary, args, result)
  }

  /**
   * Tries a TCP connect to host:port from a throwaway container on `network`, as a pod on a
   * cluster node there would. A refusal comes back at once as 'refused'; only silence lasts
   * until the timeout. The container has a unique name and is removed afterwards, also when
   * the run is aborted or times out. Failing to run the container at all (no such network,
   * an image that cannot be pulled) throws: that says nothing about the path.
   */
  async probeTcp(input: TcpProbeInput): Promise<TcpProbe> {
    const seconds = Math.max(1, Math.ceil(input.timeoutSeconds))
    const name = `${PROBE_CONTAINER_PREFIX}${randomBytes(6).toString('hex')}`
    try {
      const {stdout} = await this.run(
        [
          'run',
          '--rm',
          '--network',
          input.network,
          '--name',
          name,
          '--label',
          'geniro-dev.probe=true',
          input.image,
          'sh',
          '-c',
          PROBE_SCRIPT,
          'probe',
          input.host,
          String(input.port),
          String(seconds),
        ],
        {signal: input.signal, timeoutMs: seconds * 1000 + PROBE_OVERHEAD_MS},
      )
      const probe = parseProbeOutput(stdout)
      if (!probe) {
        throw new ToolFailedError(
          `${this.binary} run ${input.image}`,
          0,
          stderrTail(stdout) || 'the probe printed nothing',
          'the probe image needs a busybox `sh` and `nc`',
        )
      }
      return probe.reachable
        ? {...probe, detail: `connected to ${input.host}:${input.port}`}
        : probe
    } finally {
      await this.removeContainer(name)
    }
  }

  /**
   * An image's ID (`sha256:…`), by name or ID; undefined when the engine has no such image.
   * `docker image inspect`, not bare `inspect`, which would also match a container.
   */
  async imageId(image: string, signal?: AbortSignal): Promise<string | undefined> {
    const args = ['image', 'inspect', '--format', '{{.Id}}', image]
    const result = await this.run(args, {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return result.stdout.trim().split('\n')[0]
    if (NO_SUCH_IMAGE.test(result.stderr)) return undefined
    throw toolFailure(this.binary, args, result)
  }

  tagImageCommand(source: string, target: string): string[] {
    return [this.binary, 'tag', source, target]
  }

  /** `docker tag`: idempotent, and only a name, so instant whatever the image's size. */
  async tagImage(source: string, target: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.tagImageCommand(source, target).slice(1), {signal})
  }

  /** Whether `docker buildx` is there (then `docker build` is BuildKit's). */
  async hasBuildx(signal?: AbortSignal): Promise<boolean> {
    return this.answers(() => this.run(['buildx', 'version'], {signal}))
  }

  /**
   * `docker buildx build --load` where buildx is installed (--load: a builder other than the
   * engine's own keeps the result in its cache otherwise), else the classic `docker build`.
   */
  buildCommand(input: ImageBuild, buildx: boolean): string[] {
    return [
      this.binary,
      ...(buildx ? ['buildx', 'build', '--load'] : ['build']),
      '--file',
      input.dockerfile,
      '--tag',
      input.tag,
      input.context,
    ]
  }

  /** Runs a build command, passing its progress on as it comes. */
  async build(
    argv: string[],
    timeoutMs: number,
    onOutput: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.run(argv.slice(1), {signal, timeoutMs, onOutput: (_stream, text) => onOutput(text)})
  }

  /** `docker rm -f`, quietly: for cleanup, where "no such container" is the good outcome. */
  private async removeContainer(name: string): Promise<void> {
    try {
      await this.run(['rm', '--force', name], {okExitCodes: [1]})
    } catch {
      // The engine is gone or slow; nothing more can be done here.
    }
  }
}
