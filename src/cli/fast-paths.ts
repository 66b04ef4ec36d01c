// `status` and `forward status` without oclif. Both are run often (scripts, prompts, editor
// integrations) and parse a handful of flags; loading oclif would cost several times Node's
// own start. Anything but the plain forms below (--help, --debug, a bad value, an unknown
// flag) returns false, and oclif answers, owning help and usage errors.
import {afterStopSignal, GeniroError, STOP_SIGNALS} from '../core/errors.js'
import {isDebug, reportError, writeJsonStdout} from './error-output.js'

interface FastSpec {
  /** Flag → option name, for flags that take a value. */
  values: Record<string, string>
  /** Option defaults, from the same GENIRO_DEV_* variables the oclif flags read. */
  defaults: Record<string, string | undefined>
  /** Whether `--allow-remote-context` is one of the command's flags. */
  remoteContextFlag?: boolean
}

const LOCATION_FLAGS = {
  '--cluster': 'cluster',
  '--namespace': 'namespace',
  '-n': 'namespace',
  '--provider': 'provider',
  '--kube-context': 'kubeContext',
}

function locationDefaults(env: NodeJS.ProcessEnv) {
  return {
    cluster: env.GENIRO_DEV_CLUSTER || 'geniro-dev',
    namespace: env.GENIRO_DEV_NAMESPACE || 'geniro',
    provider: env.GENIRO_DEV_PROVIDER || undefined,
    kubeContext: env.GENIRO_DEV_KUBE_CONTEXT || undefined,
  }
}

export interface FastArgs {
  json: boolean
  allowRemoteContext: boolean
  options: Record<string, string | undefined>
}

/** Parses `[--json] [--allow-remote-context] [--flag value | --flag=value]…`, or undefined. */
export function parseFastArgs(args: readonly string[], spec: FastSpec): FastArgs | undefined {
  const options = {...spec.defaults}
  let json = false
  let allowRemoteContext = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--json') json = true
    else if (arg === '--allow-remote-context' && spec.remoteContextFlag) allowRemoteContext = true
    else {
      const at = arg.startsWith('--') ? arg.indexOf('=') : -1
      const flag = at < 0 ? arg : arg.slice(0, at)
      const key = spec.values[flag]
      const value = at < 0 ? args[++i] : arg.slice(at + 1)
      if (!key || value === undefined || value === '' || value.startsWith('-')) return undefined
      options[key] = value
    }
  }
  const provider = options.provider
  if (provider !== undefined && provider !== 'kind' && provider !== 'minikube') return undefined
  return {json, allowRemoteContext, options}
}

/** Answers `argv` and returns true, or returns false for oclif to answer. */
export async function runFastPath(argv: readonly string[], env = process.env): Promise<boolean> {
  if (isDebug(argv)) return false
  if (argv[0] === 'forward' && argv[1] === 'status') return forwardStatus(argv.slice(2), env)
  if (argv[0] === 'status') return status(argv.slice(1), env)
  return false
}

async function forwardStatus(args: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const parsed = parseFastArgs(args, {
    values: {...LOCATION_FLAGS, '--release': 'release'},
    defaults: {...locationDefaults(env), release: env.GENIRO_DEV_RELEASE || 'geniro'},
  })
  if (!parsed) return false
  const [{locateForwards, readForwardStatus}, {renderForwards}] = await Promise.all([
    import('../forward/status.js'),
    import('./render-forward.js'),
  ])
  const {cluster, namespace, provider, kubeContext, release} = parsed.options
  try {
    // The names are checked as oclif's path checks them (exit 2), before any file is read.
    const report = readForwardStatus(
      locateForwards({
        cluster: cluster!,
        namespace: namespace!,
        release: release!,
        provider: provider as 'kind' | 'minikube' | undefined,
        kubeContext,
      }),
    )
    if (parsed.json) writeJsonStdout(report)
    else process.stdout.write(`${renderForwards(report)}\n`)
  } catch (error) {
    process.exitCode = reportFastPathError(error as Error, parsed.json)
  }
  return true
}

function reportFastPathError(error: Error, json: boolean): number {
  const known = error instanceof GeniroError ? error : undefined
  return reportError(error, known, {json, debug: false, writeJson: writeJsonStdout})
}

async function status(args: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const parsed = parseFastArgs(args, {
    values: {...LOCATION_FLAGS, '--release': 'release'},
    defaults: {...locationDefaults(env), release: env.GENIRO_DEV_RELEASE || 'geniro'},
    remoteContextFlag: true,
  })
  if (!parsed) return false
  const [{status: statusOf}, {defaultToolbox}, {renderStatus}] = await Promise.all([
    import('../services/status.js'),
    import('../services/toolbox.js'),
    import('./render-status.js'),
  ])
  // As in BaseCommand: each stop signal aborts the tools and exits 128 + its number.
  const abort = new AbortController()
  const interrupt = (signal: NodeJS.Signals) => abort.abort(signal)
  for (const signal of STOP_SIGNALS) process.once(signal, interrupt)
  const {cluster, namespace, provider, kubeContext, release} = parsed.options
  try {
    const result = await statusOf(
      {
        cluster: cluster!,
        namespace: namespace!,
        release: release!,
        provider: provider as 'kind' | 'minikube' | undefined,
        kubeContext,
        allowRemoteContext: parsed.allowRemoteContext,
      },
      defaultToolbox(),
      abort.signal,
    )
    if (parsed.json) writeJsonStdout(result)
    else process.stdout.write(`${renderStatus(result)}\n`)
  } catch (error) {
    process.exitCode = reportFastPathError(
      afterStopSignal(error, abort.signal) as Error,
      parsed.json,
    )
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, interrupt)
  }
  return true
}
