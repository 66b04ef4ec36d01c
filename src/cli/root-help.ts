import {formatExitCodeSection} from '../core/exit-codes.js'

/** The slice of an oclif manifest that root help reads. */
export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
}

export interface RootHelpInput {
  bin: string
  description: string
  versionLine: string
  commands: ManifestCommand[]
  topicSeparator: string
}

/**
 * Root `--help`, rendered from manifests alone. bin/run.js prints it without loading
 * oclif (start time), and the oclif Help class prints the same text.
 */
export function renderRootHelp(input: RootHelpInput): string {
  const visible = input.commands
    .filter((command) => !command.hidden && !command.id.includes(':'))
    .sort((a, b) => a.id.localeCompare(b.id))
  const width = Math.max(...visible.map((command) => command.id.length))
  const commandRows = visible.map(
    (command) => `  ${command.id.padEnd(width)}  ${firstLine(summaryOf(command, input.bin))}`,
  )
  return [
    input.description,
    '',
    'VERSION',
    `  ${input.versionLine}`,
    '',
    'USAGE',
    `  $ ${input.bin} [COMMAND]`,
    '',
    'COMMANDS',
    ...commandRows,
    '',
    `Run \`${input.bin} COMMAND --help\` for a command's flags and examples.`,
    '',
    'EXIT CODES',
    formatExitCodeSection(),
    '',
  ].join('\n')
}

function summaryOf(command: ManifestCommand, bin: string): string {
  return (command.summary ?? command.description ?? '').replaceAll('<%= config.bin %>', bin)
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}
