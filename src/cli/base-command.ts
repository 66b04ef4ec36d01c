import {Command, Errors, Flags} from '@oclif/core'
import {
  afterStopSignal,
  GeniroError,
  InterruptedError,
  STOP_SIGNALS,
  UsageError,
} from '../core/errors.js'
import {isDebug, reportError} from './error-output.js'
import type {ServiceContext} from '../services/context.js'

/**
 * What every geniro-dev command shares: `--json` (one result object on stdout and
 * nothing else), `--debug`, progress on stderr, Ctrl-C as cancellation, and the
 * mapping of every failure onto the exit-code table — also under `--json`.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    debug: Flags.boolean({
      helpGroup: 'GLOBAL',
      env: 'GENIRO_DEV_DEBUG',
      description: 'Show stack traces of internal errors.',
    }),
  }

  /**
   * Aborted on Ctrl-C, SIGTERM or SIGHUP (a closed terminal), with the signal as its reason;
   * services pass it to every child process, so each stops its tool's process group and undoes
   * what it must (the kube context kind switches) before the command exits 128 + the signal.
   */
  protected readonly abort = new AbortController()
  private readonly onSignal = (signal: NodeJS.Signals) => this.abort.abort(signal)

  override async init(): Promise<void> {
    await super.init()
    for (const signal of STOP_SIGNALS) process.once(signal, this.onSignal)
  }

  override async finally(error: Error | undefined): Promise<void> {
    for (const signal of STOP_SIGNALS) process.off(signal, this.onSignal)
    await super.finally(error)
  }

  /** The adapters of this run; with --debug each tool's command line goes to stderr. */
  protected async toolbox() {
    const {defaultToolbox} = await import('../services/toolbox.js')
    return defaultToolbox({debug: isDebug(this.argv)})
  }

  /** The shared context of the cluster services: adapters, Ctrl-C, output and confirmation. */
  protected async serviceContext(yes = false): Promise<ServiceContext> {
    const [tools, {confirm}] = await Promise.all([this.toolbox(), import('./confirm.js')])
    const json = this.jsonEnabled()
    return {
      tools,
      signal: this.abort.signal,
      silent: json,
      confirm: (question: string) => confirm(question, {yes, json}),
      note: (line: string) => this.outputInfo(line),
    }
  }

  /**
   * The command's result. For people, `render`'s text on stdout (the renderers live in src/cli);
   * under --json nothing here: oclif prints what run() returns. Every command ends with it.
   */
  protected outputResult<T>(result: T, render: (result: T) => string): T {
    if (!this.jsonEnabled()) {
      const text = render(result)
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    }
    return result
  }

  /** A line for people on stderr beside the result (progress, notes); none under --json. */
  protected outputInfo(line: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${line}\n`)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    const known = toKnownError(
      afterStopSignal(error, this.abort.signal) as Error,
      this.abort.signal.aborted,
    )
    process.exitCode = reportError(error, known, {
      json: this.jsonEnabled(),
      debug: isDebug(this.argv),
      writeJson: (body) => this.logJson(body),
    })
  }
}

/** How oclif rewrites the message of an error a flag's `parse` throws (@oclif/core parser). */
const FLAG_PARSE_WRAPPER = /^Parsing --[^\n]* \n\t([\s\S]*)\nSee more help with --help$/

/** GeniroErrors as they are; oclif's parse errors as usage errors; anything else is a bug. */
function toKnownError(error: Error, interrupted: boolean): GeniroError | undefined {
  if (error instanceof GeniroError) {
    // A flag's parse threw it, and oclif wrapped its message: ours is the one line inside.
    const wrapped = FLAG_PARSE_WRAPPER.exec(error.message)
    if (wrapped) error.message = wrapped[1]!
    return error
  }
  if (interrupted) return new InterruptedError()
  if (error instanceof Errors.CLIError) {
    const [first = error.message] = error.message.split('\n')
    return new UsageError(first.trim(), 'see --help for the flags and arguments this command takes')
  }
  return undefined
}
