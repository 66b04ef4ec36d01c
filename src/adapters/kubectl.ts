import type {Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export class Kubectl extends ToolAdapter {
  constructor(exec?: Exec, binary = 'kubectl') {
    super(exec, binary)
  }

  /** e.g. "v1.34.5"; never contacts a cluster. */
  async clientVersion(): Promise<string> {
    const {stdout} = await this.run(['version', '--client', '-o', 'json'])
    const parsed = JSON.parse(stdout) as {clientVersion?: {gitVersion?: string}}
    return parsed.clientVersion?.gitVersion ?? stdout.trim()
  }
}
