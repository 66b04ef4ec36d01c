import {Args, Flags} from '@oclif/core'

/**
 * How `bridge`, `ports` and `values --mode bridge` take Compose files: `--compose` alone
 * means Compose's own discovery (compose.yaml, … and COMPOSE_FILE in the current
 * directory); files come as arguments or a repeatable --compose-file. oclif has no flag
 * with an optional value, so `--compose [FILE…]` is spelled this way (docs/ARCHITECTURE.md, "Compose").
 */
export const composeFlags = {
  compose: Flags.boolean({
    default: false,
    helpGroup: 'COMPOSE',
    description:
      "Use the Docker Compose project of the current directory (Compose's own file discovery).",
  }),
  'compose-file': Flags.string({
    multiple: true,
    helpGroup: 'COMPOSE',
    description: 'Compose file (repeatable, merged in order, as `docker compose -f`).',
  }),
  project: Flags.string({
    char: 'p',
    helpGroup: 'COMPOSE',
    description:
      'Compose project name (selects a running project; default as Compose: COMPOSE_PROJECT_NAME, name:, the directory).',
  }),
  profile: Flags.string({
    multiple: true,
    // `--profile db compose.yaml`: the file stays a file.
    multipleNonGreedy: true,
    helpGroup: 'COMPOSE',
    description:
      'Compose profile to activate (repeatable, as `docker compose --profile`; default: COMPOSE_PROFILES).',
  }),
}

export const composeFileArgs = {
  files: Args.string({description: 'Compose files (same as --compose-file).', required: false}),
}

/** The Compose files from arguments and --compose-file, in the order given. */
export function composeFiles(argv: unknown[], flags: {'compose-file'?: string[]}): string[] {
  return [...argv.map(String), ...(flags['compose-file'] ?? [])]
}
