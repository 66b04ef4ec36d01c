import type {Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export class Helm extends ToolAdapter {
  constructor(exec?: Exec, binary = 'helm') {
    super(exec, binary)
  }

  /** e.g. "v4.1.4" or "v3.17.2"; the same template works on Helm 3 and 4. */
  async version(): Promise<string> {
    return (await this.run(['version', '--template', '{{.Version}}'])).stdout.trim()
  }
}
