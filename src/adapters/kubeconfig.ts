import {ToolFailedError} from '../core/errors.js'
import {stderrTail, type Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

const NOT_SET = /current-context is not set/

/**
 * The user's current kube context, through `kubectl config` (so `$KUBECONFIG` with several
 * files, and kubectl's own locking and file format, are kubectl's business, not ours).
 */
export class Kubeconfig extends ToolAdapter {
  constructor(exec?: Exec, binary = 'kubectl') {
    super(exec, binary)
  }

  /** The current context, or undefined when none is set (or there is no kubeconfig at all). */
  async currentContext(signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.run(['config', 'current-context'], {signal, okExitCodes: [1]})
    if (result.exitCode === 0) return result.stdout.trim() || undefined
    // kubectl says "error: current-context is not set" (exit 1), also without a kubeconfig.
    if (NOT_SET.test(result.stderr)) return undefined
    throw new ToolFailedError(result.command, result.exitCode, stderrTail(result.stderr))
  }

  /**
   * The API server URL a context points at, as kubectl resolves it (every `$KUBECONFIG` file);
   * undefined when the context or its cluster is not defined.
   */
  async server(context: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.run(
      [
        'config',
        'view',
        '--minify',
        '--context',
        context,
        '-o',
        'jsonpath={.clusters[0].cluster.server}',
      ],
      {signal, okExitCodes: [1]},
    )
    if (result.exitCode === 0) return result.stdout.trim() || undefined
    // "error: cannot locate context X" / "error: cannot locate cluster Y" (exit 1).
    if (/cannot locate (context|cluster)/.test(result.stderr)) return undefined
    throw new ToolFailedError(result.command, result.exitCode, stderrTail(result.stderr))
  }

  async useContext(name: string, signal?: AbortSignal): Promise<void> {
    await this.run(['config', 'use-context', name], {signal})
  }

  async unsetCurrentContext(signal?: AbortSignal): Promise<void> {
    await this.run(['config', 'unset', 'current-context'], {signal})
  }

  /**
   * Runs `action` (which may switch the current context, as `kind create cluster` does) and
   * then puts the current context back as it was, unsetting it if there was none. The context
   * is put back even when the action fails or is interrupted; the restore itself is not given
   * the signal (an aborted signal would stop it before it ran), only a short timeout.
   * A failing restore after a failed action does not hide the action's error.
   */
  async preservingCurrentContext<T>(action: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const before = await this.currentContext(signal)
    let result: T
    try {
      result = await action()
    } catch (error) {
      await this.restore(before).catch(() => undefined)
      throw error
    }
    await this.restore(before)
    return result
  }

  private async restore(before: string | undefined): Promise<void> {
    const now = await this.currentContext()
    if (now === before) return
    if (before === undefined) await this.unsetCurrentContext()
    else await this.useContext(before)
  }
}
