import {ToolFailedError} from '../core/errors.js'
import {helmScope, helmUpgradeArgs, type UpgradeArgs} from '../core/helm-args.js'
import type {Values} from '../core/set-values.js'
import {parseVersion} from '../core/version.js'
import type {Exec, ExecResult} from './exec.js'
import {ToolAdapter} from './tool.js'

/** A release's latest revision as `helm history -o json` reports it (Helm 3 and 4 alike). */
export interface ReleaseInfo {
  name: string
  namespace: string
  revision: number
  status: string
  /** e.g. "geniro-0.1.0" */
  chart: string
  appVersion: string
  /** geniro-dev records the chart's digest here (`--description`). */
  description: string
}

export class Helm extends ToolAdapter {
  private major?: Promise<number>

  constructor(exec?: Exec, binary = 'helm') {
    super(exec, binary)
  }

  /** e.g. "v4.1.4" or "v3.17.2"; the same template works on Helm 3 and 4. */
  async version(): Promise<string> {
    return (await this.run(['version', '--template', '{{.Version}}'])).stdout.trim()
  }

  /** 3 or 4, asked once per adapter. */
  majorVersion(): Promise<number> {
    this.major ??= this.version().then((text) => parseVersion(text)?.major ?? 3)
    return this.major
  }

  async upgradeArgs(input: Omit<UpgradeArgs, 'helmMajor'>): Promise<string[]> {
    return [this.binary, ...helmUpgradeArgs({...input, helmMajor: await this.majorVersion()})]
  }

  async upgradeInstall(argv: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this.run(argv.slice(1), {timeoutMs, signal})
  }

  /** The release's latest revision, or undefined when there is none. */
  async release(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<ReleaseInfo | undefined> {
    let history: ExecResult
    try {
      history = await this.run(
        [
          'history',
          release,
          ...helmScope(namespace, kubeContext),
          '--max',
          '1',
          '--output',
          'json',
        ],
        {signal},
      )
    } catch (error) {
      if (error instanceof ToolFailedError && /release: not found/i.test(error.stderrTail))
        return undefined
      throw error
    }
    const latest = this.parseJson<Array<Record<string, unknown>>>(history, '[]').at(-1)
    if (!latest) return undefined
    return {
      name: release,
      namespace,
      revision: Number(latest.revision),
      status: String(latest.status),
      chart: String(latest.chart),
      appVersion: String(latest.app_version ?? ''),
      description: String(latest.description ?? ''),
    }
  }

  /** The user-supplied values of the release (what -f and --set gave it). */
  async userValues(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<Values> {
    const result = await this.run(
      ['get', 'values', release, ...helmScope(namespace, kubeContext), '--output', 'json'],
      {signal},
    )
    const parsed = this.parseJson<Values | null>(result, 'null')
    return parsed ?? {}
  }

  /** Rolls back to the previous revision (what a Ctrl-C'd upgrade left pending). */
  rollbackArgs(release: string, namespace: string, kubeContext: string): string[] {
    return [this.binary, 'rollback', release, ...helmScope(namespace, kubeContext), '--wait']
  }

  async rollback(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.run(this.rollbackArgs(release, namespace, kubeContext).slice(1), {
      timeoutMs: 600_000,
      signal,
    })
  }

  uninstallArgs(release: string, namespace: string, kubeContext: string): string[] {
    return [this.binary, 'uninstall', release, ...helmScope(namespace, kubeContext), '--wait']
  }

  /** Uninstalls; false when there was no such release. */
  async uninstall(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    try {
      await this.run(this.uninstallArgs(release, namespace, kubeContext).slice(1), {
        timeoutMs: 300_000,
        signal,
      })
      return true
    } catch (error) {
      if (error instanceof ToolFailedError && /not found/i.test(error.stderrTail)) return false
      throw error
    }
  }
}
