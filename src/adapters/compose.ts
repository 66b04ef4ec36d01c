import {GeniroError, ToolNotFoundError} from '../core/errors.js'
import {installHint} from '../core/tools.js'
import {parseVersion} from '../core/version.js'
import {exec as defaultExec, type Exec} from './exec.js'

export type ComposeVariant = 'docker compose' | 'docker-compose' | 'podman compose'

export interface ComposeFound {
  variant: ComposeVariant
  version: string
  /** argv prefix that runs this Compose, e.g. ['docker', 'compose']. */
  argv: [string, ...string[]]
}

const VARIANTS: ReadonlyArray<{variant: ComposeVariant; argv: [string, ...string[]]}> = [
  {variant: 'docker compose', argv: ['docker', 'compose']},
  {variant: 'docker-compose', argv: ['docker-compose']},
  {variant: 'podman compose', argv: ['podman', 'compose']},
]

/** Docker Compose v2 (plugin or standalone) or `podman compose`. */
export class Compose {
  constructor(private readonly exec: Exec = defaultExec) {}

  /** The first Compose that answers `version`, in the order above. */
  async detect(): Promise<ComposeFound> {
    for (const {variant, argv} of VARIANTS) {
      const [file, ...prefix] = argv
      try {
        const {stdout} = await this.exec(file, [...prefix, 'version', '--short'], {
          timeoutMs: 15_000,
        })
        const version = parseVersion(stdout)
        if (version) return {variant, version: version.raw, argv}
      } catch (error) {
        if (!(error instanceof GeniroError)) throw error
      }
    }
    throw new ToolNotFoundError('docker compose', installHint('docker-compose'))
  }
}
