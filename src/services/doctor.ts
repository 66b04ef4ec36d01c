import {
  checkClusterProviders,
  checkCompose,
  checkEngine,
  checkHelm,
  checkKubectl,
  checkNode,
  checkPorts,
  summarize,
  type ComposeProbe,
  type DoctorReport,
  type EngineProbe,
  type PortProbe,
  type ToolProbe,
} from '../core/doctor.js'
import {
  checkKindNodeImage,
  checkMinikubeKubernetes,
  checkNodeImage,
  type NodeImageProbe,
} from '../core/doctor-images.js'
import {GeniroError, ToolNotFoundError} from '../core/errors.js'
import {kindNodeImage} from '../core/kind-node-image.js'
import {OFFSET_PORTS} from '../core/port-table.js'
import type {Version} from '../core/version.js'
import type {Toolbox} from './toolbox.js'

/** The adapters doctor probes through. */
export type DoctorTools = Pick<
  Toolbox,
  'providers' | 'helm' | 'kubectl' | 'docker' | 'podman' | 'compose' | 'hostPorts'
>

export interface DoctorInput {
  provider?: 'kind' | 'minikube'
  targetKubernetes: Version
  /** The kind node image `up` would be given (--node-image); default: the pinned one. */
  nodeImage?: string
  nodeVersion?: string
  today?: Date
}

/** Runs every preflight probe concurrently and turns the facts into pass/warn/fail checks. */
export async function runDoctor(input: DoctorInput, tools: DoctorTools): Promise<DoctorReport> {
  // The image `up` would create a kind cluster with (a bad --k8s-version fails here, exit 2).
  const image = kindNodeImage(input.targetKubernetes, input.nodeImage)
  const enginePromise = probeEngine(tools)
  const kindPromise = probeTool(() => tools.providers.kind.version())
  const [engine, compose, kind, minikube, helm, kubectl, ports, nodeImage] = await Promise.all([
    enginePromise,
    probeCompose(tools.compose),
    kindPromise,
    probeTool(() => tools.providers.minikube.version()),
    probeTool(() => tools.helm.version()),
    probeTool(() => tools.kubectl.clientVersion()),
    probePorts(tools.hostPorts),
    // Only for kind on a running Docker engine: kind pulls its node image through it.
    Promise.all([enginePromise, kindPromise]).then(([engineProbe, kindProbe]) =>
      input.provider !== 'minikube' &&
      kindProbe.state === 'found' &&
      engineProbe.state === 'running' &&
      engineProbe.engine === 'docker'
        ? probeNodeImage(tools.docker, image)
        : undefined,
    ),
  ])
  return summarize([
    checkEngine(engine),
    checkCompose(compose),
    checkClusterProviders(kind, minikube, input.provider),
    ...(input.provider !== 'minikube' && kind.state === 'found'
      ? [checkKindNodeImage(kind, image)]
      : []),
    ...(nodeImage ? [checkNodeImage(nodeImage)] : []),
    ...(input.provider !== 'kind' && minikube.state === 'found'
      ? [checkMinikubeKubernetes(minikube, input.targetKubernetes)]
      : []),
    checkHelm(helm, input.today ?? new Date()),
    checkKubectl(kubectl, input.targetKubernetes),
    checkNode(input.nodeVersion ?? process.versions.node),
    checkPorts(ports),
  ])
}

/** Whether the engine has the image, and whether its registry answers (both at once). */
async function probeNodeImage(docker: Toolbox['docker'], image: string): Promise<NodeImageProbe> {
  const [local, registry] = await Promise.all([
    docker.hasImage(image).catch((error: unknown) => {
      if (error instanceof GeniroError) return undefined
      throw error
    }),
    docker.registryAnswer(image).catch((error: unknown) => {
      if (!(error instanceof GeniroError)) throw error
      return {state: 'unknown' as const, detail: error.message}
    }),
  ])
  return {image, local, registry}
}

/** A tool's version, or why there is none. Only expected failures become probes. */
async function probeTool(version: () => Promise<string>): Promise<ToolProbe> {
  try {
    return {state: 'found', version: await version()}
  } catch (error) {
    if (error instanceof ToolNotFoundError) return {state: 'missing', hint: error.hint ?? ''}
    if (error instanceof GeniroError) return {state: 'error', message: error.message}
    throw error
  }
}

async function probeEngine({docker, podman}: DoctorTools): Promise<EngineProbe> {
  try {
    const info = await docker.info()
    return {
      state: 'running',
      engine: 'docker',
      version: info.serverVersion,
      operatingSystem: info.operatingSystem,
    }
  } catch (error) {
    if (!(error instanceof GeniroError)) throw error
    if (!(error instanceof ToolNotFoundError)) {
      return {
        state: 'unreachable',
        engine: 'docker',
        message: error.reason,
        host: await docker.endpoint(),
      }
    }
  }
  try {
    const info = await podman.info()
    return {
      state: 'running',
      engine: 'podman',
      version: info.version,
      operatingSystem: info.operatingSystem,
    }
  } catch (error) {
    if (error instanceof ToolNotFoundError) {
      return {
        state: 'missing',
        hint: 'install Docker Engine or Docker Desktop (https://docs.docker.com/get-docker/), or Podman',
      }
    }
    if (error instanceof GeniroError)
      return {state: 'unreachable', engine: 'podman', message: error.reason}
    throw error
  }
}

async function probeCompose(compose: Toolbox['compose']): Promise<ComposeProbe> {
  try {
    const found = await compose.detect()
    return {state: 'found', variant: found.variant, version: found.version}
  } catch (error) {
    if (error instanceof ToolNotFoundError) return {state: 'missing', hint: error.hint ?? ''}
    throw error
  }
}

async function probePorts(hostPorts: Toolbox['hostPorts']): Promise<PortProbe[]> {
  return Promise.all(
    OFFSET_PORTS.filter((forward) => !forward.optional).map(async (forward) => {
      const takenOn = await hostPorts.addressesInUse(forward.localPort)
      const holder =
        takenOn.length > 0 ? await hostPorts.findPortHolder(forward.localPort) : undefined
      return {forward, takenOn, ...(holder ? {holder} : {})}
    }),
  )
}
