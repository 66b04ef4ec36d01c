/**
 * An Exec that runs nothing: it answers each call from a script of argv prefixes and records
 * every call, so an adapter's argv and its reading of a tool's output are tested in-process.
 * As the real exec does, an exit code the call did not accept (`okExitCodes`) throws the tool's
 * failure. An unscripted call fails the test (it names the argv).
 */
import {toolFailure, type Exec, type ExecOptions, type ExecResult} from '../../src/adapters/exec.js'

export interface ScriptedAnswer {
  stdout?: string
  stderr?: string
  exitCode?: number
}

export interface RecordedCall {
  argv: string[]
  options?: ExecOptions
}

export class RecordingExec {
  readonly calls: RecordedCall[] = []
  private readonly script: Array<{prefix: readonly string[]; answer: ScriptedAnswer}> = []

  /** Answers every call whose argv (binary first) starts with `prefix`; the latest `on` wins. */
  on(prefix: readonly string[], answer: ScriptedAnswer): this {
    this.script.unshift({prefix, answer})
    return this
  }

  readonly exec: Exec = async (file, args, options): Promise<ExecResult> => {
    const argv = [file, ...args]
    this.calls.push({argv, ...(options ? {options} : {})})
    const found = this.script.find(({prefix}) => prefix.every((word, i) => argv[i] === word))
    if (!found) throw new Error(`unscripted call: ${argv.join(' ')}`)
    const exitCode = found.answer.exitCode ?? 0
    const output = {stdout: found.answer.stdout ?? '', stderr: found.answer.stderr ?? ''}
    if (exitCode !== 0 && !options?.okExitCodes?.includes(exitCode))
      throw toolFailure(file, args, {exitCode, ...output}, options)
    return {command: argv.join(' '), exitCode, ...output}
  }

  /** The argv of every call so far, binary first. */
  argvs(): string[][] {
    return this.calls.map((call) => call.argv)
  }
}
