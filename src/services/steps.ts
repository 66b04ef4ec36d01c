import type {Listr, ListrTask} from 'listr2'

/** One step of a plan: what a user sees, the exact argv when it runs a tool, and its work. */
export interface Step {
  title: string
  /** argv of the tool the step runs, for --dry-run and plans. */
  command?: string[]
  /** Why the step is skipped (nothing to do); shown instead of running it. */
  skip?: string
  run?: (signal: AbortSignal) => Promise<void>
}

export interface StepOutput {
  /** No output at all (under --json). */
  silent: boolean
}

/** The plan as --dry-run prints it. */
export function describeSteps(
  steps: Step[],
): Array<{title: string; command?: string[]; skip?: string}> {
  return steps.map(({title, command, skip}) => ({
    title,
    ...(command ? {command} : {}),
    ...(skip ? {skip} : {}),
  }))
}

/**
 * Runs steps in order as a listr2 task list on stderr: the animated renderer on a terminal,
 * plain lines in CI or when stderr is not a TTY, nothing under --json. Ctrl-C is the base
 * command's: the signal aborts the running tool, and listr2 registers no handler of its own.
 *
 * A failing step is shown as failed, without its message: the error itself is reported
 * once, after the list (right under the failed step), by the command's error output.
 */
export async function runSteps(
  steps: Step[],
  output: StepOutput,
  signal: AbortSignal,
): Promise<void> {
  const {Listr, ListrLogger, ListrLogLevels, ProcessOutput} = await import('listr2')
  const logger = new ListrLogger({processOutput: new ProcessOutput(process.stderr, process.stderr)})
  const fallback = !process.stderr.isTTY || Boolean(process.env.CI)
  // The animated renderer shows a skip message in place of the title, the plain one after it.
  const skipMessage = (step: Step, why: string) => (fallback ? why : `${step.title}: ${why}`)
  let failed: {step: Step; error: unknown} | undefined
  const tasks: ListrTask[] = steps.map((step) => ({
    title: step.title,
    skip: step.skip ? skipMessage(step, step.skip) : false,
    task: async () => {
      try {
        await step.run?.(signal)
      } catch (error) {
        failed = {step, error}
        // An empty message: listr2 then shows the title as failed and nothing more.
        throw new Error('')
      }
    },
  }))
  const list: Listr = new Listr(tasks, {
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    silentRendererCondition: output.silent,
    fallbackRendererCondition: fallback,
    rendererOptions: {logger},
    fallbackRendererOptions: {logger},
  })
  try {
    await list.run()
  } catch (error) {
    if (!failed) throw error
    // The plain renderer logs a failure only with its message: say which step failed.
    if (fallback && !output.silent) logger.log(ListrLogLevels.FAILED, failed.step.title)
    throw failed.error
  }
}
