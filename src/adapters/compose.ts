import type {ComposeService} from '../core/compose-model.js'
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

/** Which project a Compose command is about: `-p`, `-f` files, and the directory it runs in. */
export interface ComposeScope {
  project?: string
  files?: readonly string[]
  cwd?: string
  /** `--profile` of each: Compose reads the project's files with the same profiles as we do. */
  profiles?: readonly string[]
}

/** A project as `compose ps` shows it, and where its files were when it was started. */
export interface ComposeRuntime {
  services: ComposeService[]
  /** From the containers' labels (com.docker.compose.project.working_dir / config_files). */
  workingDir?: string
  configFiles: string[]
}

const PS_TIMEOUT_MS = 30_000

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

  /** `… ps --format json` for the scope; argv[0] is the binary. */
  psCommand(found: ComposeFound, scope: ComposeScope): string[] {
    const files = (scope.files ?? []).flatMap((file) => ['-f', file])
    const project = scope.project ? ['-p', scope.project] : []
    const profiles = (scope.profiles ?? []).flatMap((profile) => ['--profile', profile])
    // Docker Compose lists running containers unless asked for all; podman-compose always
    // lists all and refuses flags it does not know.
    const all = found.variant === 'podman compose' ? [] : ['--all']
    return [...found.argv, ...files, ...project, ...profiles, 'ps', ...all, '--format', 'json']
  }

  /** The project's containers as services (stopped ones too, with no published ports). */
  async ps(found: ComposeFound, scope: ComposeScope): Promise<ComposeService[]> {
    return (await this.runtime(found, scope)).services
  }

  /** `ps` plus where the project's files were, read from its containers' labels. */
  async runtime(found: ComposeFound, scope: ComposeScope): Promise<ComposeRuntime> {
    const [file, ...args] = this.psCommand(found, scope)
    const {stdout} = await this.exec(file ?? found.argv[0], args, {
      cwd: scope.cwd,
      timeoutMs: PS_TIMEOUT_MS,
    })
    // Loaded here: the Compose model brings the YAML parser, which `status` does not need.
    const {composePsLocation, parseComposePs} = await import('../core/compose-runtime.js')
    return {services: parseComposePs(stdout, scope.project ?? ''), ...composePsLocation(stdout)}
  }
}
