import {basename} from 'node:path'
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

  /**
   * The JSON a tool printed (`empty` when it printed nothing). Anything else is that tool's
   * failure, named with its command (exit 5), never an internal error: a wrapper script, a
   * warning on stdout or a broken install prints what we did not ask for.
   */
  protected parseJson<T>(
    result: Pick<ExecResult, 'command' | 'exitCode' | 'stdout'>,
    empty?: string,
  ): T {
    const text = result.stdout.trim() || empty
    try {
      if (text === undefined) throw new SyntaxError('no output')
      return JSON.parse(text) as T
    } catch {
      const first = (text ?? '').split('\n')[0]!.slice(0, 120)
      throw new ToolFailedError(
        result.command,
        result.exitCode,
        first
          ? `printed output that is not JSON: ${first}`
          : 'printed nothing where JSON was expected',
        `run \`${result.command}\` yourself: the ${basename(this.binary)} on PATH does not answer as ${basename(this.binary)} does`,
      )
    }
  }
}
