import type {Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export interface PodmanInfo {
  version: string
  operatingSystem: string
}

/** The `podman` CLI, the engine some Geniro developers use instead of Docker. */
export class Podman extends ToolAdapter {
  constructor(exec?: Exec, binary = 'podman') {
    super(exec, binary)
  }

  async info(timeoutMs = 15_000): Promise<PodmanInfo> {
    const result = await this.run(['info', '--format', 'json'], {timeoutMs})
    const info = this.parseJson<{
      version?: {Version?: string}
      host?: {os?: string; distribution?: {distribution?: string}}
    }>(result)
    return {
      version: info.version?.Version ?? 'unknown',
      operatingSystem: info.host?.distribution?.distribution ?? info.host?.os ?? 'unknown',
    }
  }
}
