import type {CheckStatus, DoctorReport} from '../core/doctor.js'

const MARKS: Record<CheckStatus, string> = {pass: 'ok  ', warn: 'warn', fail: 'FAIL'}

/** The human form of a doctor report: one row a check, its fix beneath. */
export function renderDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.title.length))
  const indent = ' '.repeat(width + 10)
  const rows = report.checks.flatMap((check) => [
    `  [${MARKS[check.status]}] ${check.title.padEnd(width)}  ${check.message}`,
    ...(check.fix && check.status !== 'pass' ? [`${indent}fix: ${check.fix}`] : []),
  ])
  const {pass, warn, fail} = report.summary
  return [
    ...rows,
    '',
    `${report.checks.length} checks: ${pass} passed, ${warn} warned, ${fail} failed`,
  ].join('\n')
}
