import {shellQuote} from '../core/shell-quote.js'

/** A plan (from --dry-run) as numbered lines, each with the command it would run. */
export function renderPlan(
  steps: Array<{title: string; command?: string[]; skip?: string}>,
): string {
  const lines = ['Plan (dry run: nothing was changed):']
  steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}${step.skip ? ` — skipped: ${step.skip}` : ''}`)
    if (step.command && !step.skip) lines.push(`     $ ${step.command.map(shellQuote).join(' ')}`)
  })
  return lines.join('\n')
}

/** A result's renderer that shows the plan instead when the result is a dry run's. */
export function orPlan<T extends {dryRun: boolean; steps: Parameters<typeof renderPlan>[0]}>(
  render: (result: T) => string,
): (result: T) => string {
  return (result) => (result.dryRun ? renderPlan(result.steps) : render(result))
}
