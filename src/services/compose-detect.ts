/**
 * Which Compose project the user means, what it publishes, and which service is which:
 * the engine's answer when the project has containers, the files' otherwise. Shared by
 * `geniro-dev ports` and bridge mode.
 */
import type {Compose, ComposeRuntime} from '../adapters/compose.js'
import {
  loadComposeSources,
  NoComposeFileError,
  readEnvFiles,
  type ComposeSources,
} from '../adapters/compose-files.js'
import {
  composeModel,
  withRole,
  type ComposeProject,
  type ComposeService,
} from '../core/compose-model.js'
import {TimeoutError, ToolFailedError, ToolNotFoundError, UserError} from '../core/errors.js'

type Env = Record<string, string | undefined>

export interface ComposeDetectInput {
  /** Explicit -f/--compose-file files; empty: Compose's own discovery from `cwd`. */
  files: string[]
  /** -p */
  project?: string
  cwd: string
  env: Env
  profiles?: string[]
}

/** The project from its files: the active services, and all of them for running extras. */
interface FileModels {
  active: ComposeProject
  all: ComposeProject
}

/**
 * Runtime first: when the project has containers, ports, state and container names are the
 * engine's, and image, environment and volumes come from the files. Without containers (or
 * without an engine that answers) the files' model. With no file but `-p` of a project
 * that has containers, the files recorded in its labels, else the runtime alone.
 */
export async function detectCompose(
  input: ComposeDetectInput,
  compose: Compose,
): Promise<ComposeProject> {
  const models = await modelsFromDiscovery(input)
  const name = models?.active.name ?? input.project
  if (name === undefined) throw new UserError('no Compose project given')
  const runtime = await runtimeOf(compose, {project: name, cwd: input.cwd})
  if (!runtime || runtime.services.length === 0) {
    if (models) return models.active
    throw new UserError(
      `Compose project "${name}" has no containers, and no Compose file was found`,
      'Start it (docker compose up -d), or name its Compose file',
    )
  }
  const recorded = models ?? (await modelsFromLabels(runtime, input))
  return runtimeProject(name, runtime, recorded)
}

async function modelsFromDiscovery(input: ComposeDetectInput): Promise<FileModels | undefined> {
  try {
    return await fileModels(await loadComposeSources(input), input)
  } catch (error) {
    // `-p NAME` alone may name a project whose files are elsewhere.
    if (error instanceof NoComposeFileError && input.project) return undefined
    throw error
  }
}

/** The files a running project was started from, if they are still there and still load. */
async function modelsFromLabels(
  runtime: ComposeRuntime,
  input: ComposeDetectInput,
): Promise<FileModels | undefined> {
  if (!runtime.workingDir || runtime.configFiles.length === 0) return undefined
  try {
    const sources = await loadComposeSources({
      files: runtime.configFiles,
      cwd: runtime.workingDir,
      env: input.env,
    })
    return await fileModels(sources, input)
  } catch (error) {
    if (error instanceof UserError) return undefined
    throw error
  }
}

async function fileModels(sources: ComposeSources, input: ComposeDetectInput): Promise<FileModels> {
  const build = (envFileTexts?: Record<string, string>): FileModels => {
    const options = {
      env: sources.env,
      projectName: input.project,
      workingDir: sources.workingDir,
      profiles: input.profiles,
      envFileTexts,
    }
    return {
      active: composeModel(sources.files, options),
      all: composeModel(sources.files, {...options, profiles: ['*']}),
    }
  }
  const first = build()
  const active = new Set(first.active.services.map((service) => service.name))
  // Only an active service's missing env_file is an error, as it would be for `up`.
  const envFiles = first.all.services.flatMap((service) =>
    (service.envFiles ?? []).map((file) => ({
      ...file,
      required: file.required && active.has(service.name),
    })),
  )
  return envFiles.length === 0 ? first : build(await readEnvFiles(envFiles))
}

/** `compose ps`, or undefined when no Compose or no engine answers. */
async function runtimeOf(
  compose: Compose,
  target: {project: string; cwd: string},
): Promise<ComposeRuntime | undefined> {
  try {
    return await compose.runtime(await compose.detect(), target)
  } catch (error) {
    const unanswered =
      error instanceof ToolNotFoundError ||
      error instanceof ToolFailedError ||
      error instanceof TimeoutError
    if (unanswered) return undefined
    throw error
  }
}

function runtimeProject(
  name: string,
  runtime: ComposeRuntime,
  models: FileModels | undefined,
): ComposeProject {
  const running = new Map(runtime.services.map((service) => [service.name, service]))
  const declared = new Map(models?.all.services.map((service) => [service.name, service]))
  const activeNames = models?.active.services.map((service) => service.name) ?? []
  // The files' order, then services that run without being active here (another profile).
  const names = [...new Set([...activeNames, ...running.keys()])]
  return {
    name,
    source: 'runtime',
    workingDir: models?.active.workingDir ?? runtime.workingDir ?? '',
    files: models?.active.files ?? runtime.configFiles,
    services: names.map((service) => combined(running.get(service), declared.get(service))),
  }
}

/**
 * A service as the engine runs it, described by its files. One without a container
 * publishes nothing and has no state.
 */
function combined(
  running: ComposeService | undefined,
  declared: ComposeService | undefined,
): ComposeService {
  const service: ComposeService = {
    ...declared,
    name: (running ?? declared)?.name ?? '',
    image: declared?.image ?? running?.image,
    ports: running?.ports ?? [],
    environment: declared?.environment ?? {},
  }
  if (declared) service.declaredPorts = declared.ports
  if (running?.containerName) service.containerName = running.containerName
  if (running?.state) service.state = running.state
  if (service.image === undefined) delete service.image
  return withRole(service)
}
