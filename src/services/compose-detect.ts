/**
 * Which Compose project the user means, what it publishes, and which service is which:
 * the engine's answer when the project has containers, the files' otherwise. Shared by
 * `geniro-dev ports` and bridge mode.
 */
import type {Compose, ComposeRuntime} from '../adapters/compose.js'
import {COMPOSE_WORKER_ENTRY} from '../adapters/package-files.js'
import {Worker} from 'node:worker_threads'
import {
  loadComposeSources,
  NoComposeFileError,
  readEnvFiles,
  readReferencedFiles,
  type ComposeSources,
} from '../adapters/compose-files.js'
import {
  ComposeFilesNeeded,
  composeModel,
  withRole,
  type ComposeModelOptions,
  type ComposeProject,
  type ComposeService,
} from '../core/compose-model.js'
import {
  InterruptedError,
  TimeoutError,
  ToolFailedError,
  ToolNotFoundError,
  UserError,
} from '../core/errors.js'

type Env = Record<string, string | undefined>

export interface ComposeDetectInput {
  /** Explicit -f/--compose-file files; empty: Compose's own discovery from `cwd`. */
  files: string[]
  /** -p */
  project?: string
  cwd: string
  env: Env
  /** --profile (repeatable); none: COMPOSE_PROFILES, as Compose. */
  profiles?: string[]
  /** Ctrl-C: stops reading and parsing the files (a large one parses for seconds). */
  signal?: AbortSignal
}

/** The project from its files: the active services, and the others in `inactive`. */
type FileModels = ComposeProject

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
  const name = models?.name ?? input.project
  if (name === undefined) throw new UserError('no Compose project given')
  const runtime = await runtimeOf(compose, {
    project: name,
    cwd: input.cwd,
    profiles: input.profiles,
  })
  if (!runtime || runtime.services.length === 0) {
    if (models) return models
    throw new UserError(
      `Compose project "${name}" has no containers, and no Compose file was found`,
      'Start it (docker compose up -d), or name its Compose file',
    )
  }
  const recorded = models ?? (await modelsFromLabels(runtime, input))
  return runtimeProject(name, runtime, recorded)
}

/** detectCompose for what a command was given: its Compose files, -p and --profile. */
export function detectSelectedCompose(
  selection: Omit<ComposeDetectInput, 'files'> & {composeFiles: string[]},
  compose: Compose,
): Promise<ComposeProject> {
  const {composeFiles, project, profiles, cwd, env, signal} = selection
  return detectCompose({files: composeFiles, project, profiles, cwd, env, signal}, compose)
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

/**
 * The files' model. Parsing and modelling a large Compose file takes seconds (up to some
 * ten for the largest file read), which would keep the main thread from seeing Ctrl-C: a
 * project with a large file is modelled in a worker thread that an abort terminates.
 */
async function fileModels(sources: ComposeSources, input: ComposeDetectInput): Promise<FileModels> {
  const large = (files: ReadonlyArray<{text: string}>) =>
    files.some((file) => file.text.length >= WORKER_BYTES)
  if (large(sources.files)) return fileModelsInWorker(sources, input)
  const models = await fileModelsHere(sources, input, (texts) =>
    large(texts) ? fileModelsInWorker(sources, input) : undefined,
  )
  // A signal that came while this thread modelled the files stops here, not after `ps`.
  if (input.signal?.aborted) throw interrupted()
  return models
}

function interrupted(): InterruptedError {
  return new InterruptedError('interrupted while the Compose files were read')
}

/** From this size on (about a quarter of a second to parse) a file is modelled off-thread. */
export const WORKER_BYTES = 512 * 1024

/**
 * The model in this thread: the pure model asks for the files the project names (include,
 * extends.file) until it has them all, then for the services' env_file texts. `onRead`
 * may take over once it sees the Compose files read (a large one goes to a worker).
 */
export async function fileModelsHere(
  sources: ComposeSources,
  input: Omit<ComposeDetectInput, 'signal'>,
  onRead?: (files: Array<{path: string; text: string}>) => Promise<FileModels> | undefined,
): Promise<FileModels> {
  const options: ComposeModelOptions = {
    env: sources.env,
    projectName: input.project,
    workingDir: sources.workingDir,
    profiles: input.profiles,
    parsed: new Map(),
  }
  const referenced: Record<string, string | null> = {}
  for (;;) {
    let project: ComposeProject
    try {
      project = composeModel(sources.files, {...options, sources: referenced})
    } catch (error) {
      if (!(error instanceof ComposeFilesNeeded)) throw error
      const compose = await readReferencedFiles(error.compose, 'Compose file')
      Object.assign(referenced, compose, await readReferencedFiles(error.other, 'file'))
      const texts = Object.entries(compose).flatMap(([path, text]) =>
        text === null ? [] : [{path, text}],
      )
      const elsewhere = onRead?.(texts)
      if (elsewhere) return elsewhere
      continue
    }
    if (options.envFileTexts) return project
    const active = new Set(project.services.map((service) => service.name))
    // Only an active service's missing env_file is an error, as it would be for `up`.
    const envFiles = [...project.services, ...(project.inactive ?? [])].flatMap((service) =>
      (service.envFiles ?? []).map((file) => ({
        ...file,
        required: file.required && active.has(service.name),
      })),
    )
    if (envFiles.length === 0) return project
    options.envFileTexts = await readEnvFiles(envFiles)
  }
}

type WorkerAnswer =
  | {ok: true; project: FileModels}
  | {ok: false; message: string; hint?: string}
  | {ok: false; internal: string}

/** fileModelsHere in a worker thread, which `input.signal` terminates at once. */
function fileModelsInWorker(
  sources: ComposeSources,
  input: ComposeDetectInput,
): Promise<FileModels> {
  const {signal, ...rest} = input
  return new Promise((resolve, reject) => {
    const worker = new Worker(COMPOSE_WORKER_ENTRY, {
      workerData: {sources, input: rest},
    })
    const stop = () => {
      void worker.terminate()
      reject(interrupted())
    }
    if (signal?.aborted) return stop()
    signal?.addEventListener('abort', stop, {once: true})
    const settle = () => signal?.removeEventListener('abort', stop)
    worker.once('message', (answer: WorkerAnswer) => {
      settle()
      void worker.terminate()
      if (answer.ok) resolve(answer.project)
      else if ('internal' in answer) reject(new Error(answer.internal))
      else reject(new UserError(answer.message, answer.hint))
    })
    worker.once('error', (error) => {
      settle()
      reject(error)
    })
  })
}

/** `compose ps`, or undefined when no Compose or no engine answers. */
async function runtimeOf(
  compose: Compose,
  target: {project: string; cwd: string; profiles?: string[]},
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
  const all = [...(models?.services ?? []), ...(models?.inactive ?? [])]
  const declared = new Map(all.map((service) => [service.name, service]))
  const activeNames = models?.services.map((service) => service.name) ?? []
  // The files' order, then services that run without being active here (another profile).
  const names = [...new Set([...activeNames, ...running.keys()])]
  return {
    name,
    source: 'runtime',
    workingDir: models?.workingDir ?? runtime.workingDir ?? '',
    files: models?.files ?? runtime.configFiles,
    services: names.map((service) => combined(running.get(service), declared.get(service))),
    inactive: (models?.inactive ?? []).filter((service) => !running.has(service.name)),
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
