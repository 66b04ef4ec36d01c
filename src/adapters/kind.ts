import type {Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export class Kind extends ToolAdapter {
  constructor(exec?: Exec, binary = 'kind') {
    super(exec, binary)
  }

  /** e.g. "kind v0.27.0 go1.24.4 linux/amd64". */
  async version(): Promise<string> {
    return (await this.run(['version'])).stdout.trim()
  }
}
