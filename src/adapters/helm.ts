import {readFile} from 'node:fs/promises'
import {basename} from 'node:path'
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

  /**
   * Runs the upgrade argv. Helm may quote values in its errors (a schema pattern it breaks):
   * the strings of geniro-dev's generated values files (--set, which can hold API keys) are
   * masked in a failure's output, and so never reach the terminal or the failure log.
   */
  async upgradeInstall(argv: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const secrets = await generatedValueStrings(argv)
    await this.run(argv.slice(1), {timeoutMs, signal, secrets})
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

/** Shorter strings say nothing and masking them would garble Helm's words. */
const MIN_MASKED_LENGTH = 4

/** Every string in the generated values files an argv passes with --values. */
async function generatedValueStrings(argv: readonly string[]): Promise<string[]> {
  // Loaded here: values-files brings the YAML parser, which the other helm calls do not need.
  const {GENERATED_VALUES_PREFIX} = await import('./values-files.js')
  const files = argv.flatMap((arg, i) =>
    argv[i - 1] === '--values' && basename(arg).startsWith(GENERATED_VALUES_PREFIX) ? [arg] : [],
  )
  const strings: string[] = []
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= MIN_MASKED_LENGTH) strings.push(value)
    else if (value && typeof value === 'object') Object.values(value).forEach(collect)
  }
  for (const file of files) {
    try {
      collect(JSON.parse(await readFile(file, 'utf8')))
    } catch {
      // Not written (yet) or not ours to read: nothing to mask from it.
    }
  }
  return strings
}
