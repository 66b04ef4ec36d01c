import type {Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export class Minikube extends ToolAdapter {
  constructor(exec?: Exec, binary = 'minikube') {
    super(exec, binary)
  }

  /** e.g. "v1.34.0". */
  async version(): Promise<string> {
    return (await this.run(['version', '--short'])).stdout.trim()
  }
}
