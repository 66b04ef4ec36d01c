/**
 * The one exit-code table. README.md, `--help` and the error mapper all read it,
 * and a unit test keeps README.md in step with it.
 */
export const EXIT_CODES = {
  ok: {code: 0, meaning: 'Success.'},
  checksFailed: {
    code: 1,
    meaning: 'The command ran, but what it checked is not healthy (a failing doctor check).',
  },
  usage: {code: 2, meaning: 'Bad flags or arguments; nothing was changed.'},
  userError: {
    code: 3,
    meaning: 'Something you can fix (bad input, refused kube context); the hint says how.',
  },
  toolMissing: {code: 4, meaning: 'A required tool is not installed or not on PATH.'},
  toolFailed: {
    code: 5,
    meaning: 'An external tool failed; its command and the tail of its stderr are shown.',
  },
  timeout: {code: 6, meaning: 'An operation ran past its timeout.'},
  bug: {code: 70, meaning: 'Internal error in geniro-dev; rerun with --debug and report it.'},
  hangup: {code: 129, meaning: 'The terminal closed (SIGHUP); started work was cleaned up.'},
  interrupted: {code: 130, meaning: 'Interrupted (Ctrl-C); started work was cleaned up.'},
  terminated: {code: 143, meaning: 'Stopped by SIGTERM; started work was cleaned up.'},
} as const

export type ExitCodeName = keyof typeof EXIT_CODES

export function exitCodeRows(): Array<{code: number; name: ExitCodeName; meaning: string}> {
  return (Object.keys(EXIT_CODES) as ExitCodeName[]).map((name) => ({name, ...EXIT_CODES[name]}))
}

/** The table as the `EXIT CODES` section of `--help`. */
export function formatExitCodeSection(indent = '  '): string {
  return exitCodeRows()
    .map(({code, meaning}) => `${indent}${String(code).padEnd(4)}${meaning}`)
    .join('\n')
}
