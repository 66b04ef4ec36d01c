import {Command, Errors, Flags} from '@oclif/core'
import {GeniroError, InterruptedError, UsageError} from '../core/errors.js'
import {isDebug, reportError} from './error-output.js'

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

  /** Aborted on Ctrl-C; services pass it to every child process. */
  protected readonly abort = new AbortController()
  private readonly onInterrupt = () => this.abort.abort()

  override async init(): Promise<void> {
    await super.init()
    process.once('SIGINT', this.onInterrupt)
    process.once('SIGTERM', this.onInterrupt)
  }

  override async finally(error: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onInterrupt)
    process.off('SIGTERM', this.onInterrupt)
    await super.finally(error)
  }

  /** The shared context of the cluster services: adapters, Ctrl-C, output and confirmation. */
  protected async serviceContext(yes = false) {
    const [{defaultToolbox}, {confirm}] = await Promise.all([
      import('../services/toolbox.js'),
      import('./confirm.js'),
    ])
    const json = this.jsonEnabled()
    return {
      tools: defaultToolbox(),
      signal: this.abort.signal,
      silent: json,
      confirm: (question: string) => confirm(question, {yes, json}),
      note: (line: string) => this.progress(line),
    }
  }

  /** A progress line on stderr; silent under --json. */
  protected progress(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    process.exitCode = reportError(error, toKnownError(error, this.abort.signal.aborted), {
      json: this.jsonEnabled(),
      debug: isDebug(this.argv),
      writeJson: (body) => this.logJson(body),
    })
  }
}

/** GeniroErrors as they are; oclif's parse errors as usage errors; anything else is a bug. */
function toKnownError(error: Error, interrupted: boolean): GeniroError | undefined {
  if (error instanceof GeniroError) return error
  if (interrupted) return new InterruptedError()
  if (error instanceof Errors.CLIError) {
    const [first = error.message] = error.message.split('\n')
    return new UsageError(first.trim(), 'see --help for the flags and arguments this command takes')
  }
  return undefined
}
