import {exec as defaultExec, type Exec, type ExecOptions, type ExecResult} from './exec.js'

/** Shared shape of the per-tool adapters: a binary name and the exec seam. */
export abstract class ToolAdapter {
  constructor(
    protected readonly exec: Exec = defaultExec,
    readonly binary: string,
  ) {}

  protected run(args: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.exec(this.binary, args, {timeoutMs: 15_000, ...options})
  }
}
