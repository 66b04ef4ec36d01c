import {ToolFailedError, ToolNotFoundError} from '../core/errors.js'
import {exec as defaultExec, type Exec, type ExecOptions, type ExecResult} from './exec.js'

/** Shared shape of the per-tool adapters: a binary name and the exec seam. */
export abstract class ToolAdapter {
  constructor(
    protected readonly exec: Exec = defaultExec,
    readonly binary: string,
  ) {}

  /** Whether the tool is on PATH and its probe (usually `version`) succeeds. */
  protected async answers(probe: () => Promise<unknown>): Promise<boolean> {
    try {
      await probe()
      return true
    } catch (error) {
      if (error instanceof ToolNotFoundError || error instanceof ToolFailedError) return false
      throw error
    }
  }

  protected run(args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.exec(this.binary, args, {timeoutMs: 15_000, ...options})
  }
}
