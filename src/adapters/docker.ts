import type {ComposePort} from '../core/compose-model.js'
import {parseDockerPsCompose} from '../core/compose-runtime.js'
import {ToolFailedError} from '../core/errors.js'
import {stderrTail, type Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export interface DockerEngineInfo {
  serverVersion: string
  operatingSystem: string
  name: string
}

const NO_SUCH_CONTAINER = /No such (container|object)/i

/** The `docker` CLI: engine facts and containers. Compose has its own adapter. */
export class Docker extends ToolAdapter {
  constructor(exec?: Exec, binary = 'docker') {
    super(exec, binary)
  }

  /** Engine facts; throws ToolFailedError (with the CLI's own words) when the engine is unreachable. */
  async info(timeoutMs = 15_000): Promise<DockerEngineInfo> {
    const {stdout} = await this.run(['info', '--format', '{{json .}}'], {timeoutMs})
    const info = JSON.parse(stdout) as Partial<{
      ServerVersion: string
      OperatingSystem: string
      Name: string
      ServerErrors: string[]
    }>
    if (!info.ServerVersion) {
      throw new ToolFailedError(
        `${this.binary} info`,
        1,
        info.ServerErrors?.join(' | ') ?? 'no server answered',
      )
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
    const result = await this.run(
      ['container', 'inspect', '--format', '{{.State.Running}}', name],
      {
        signal,
        okExitCodes: [1],
      },
    )
    if (result.exitCode === 0) return result.stdout.trim() === 'true'
    if (NO_SUCH_CONTAINER.test(result.stderr)) return undefined
    throw new ToolFailedError(result.command, result.exitCode, stderrTail(result.stderr))
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
    return parseDockerPsCompose(stdout)
  }
}
