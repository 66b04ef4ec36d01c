// Bridge mode: how the cluster's pods reach the Compose services (the host's address, or the
// Compose container attached to the cluster's network), and undoing an attachment on `down`.
import {
  attachmentHolders,
  forgetAttachments,
  readAttachments,
  recordAttachment,
} from '../../adapters/bridge-state.js'
import {releaseStateDir} from '../../adapters/state-root.js'
import {type ForwardStateDir} from '../../adapters/forward-state.js'
import type {BridgeRoute} from '../../core/bridge-values.js'
import {GeniroError, UserError} from '../../core/errors.js'
import {kindNetworkName, validateHostAddress} from '../../core/host-address.js'
import type {Target} from '../cluster-target.js'
import {
  attachFallback,
  checkGatewayPath,
  explainUnreachable,
  probeFromPod,
} from '../reachability.js'
import type {Step} from '../steps.js'
import type {ServiceContext} from '../context.js'
import type {Toolbox} from '../toolbox.js'
import type {BridgeEndpoint, BridgeInput} from './plan.js'

const PROBE_TIMEOUT_SECONDS = 5

export type BridgeContext = Pick<ServiceContext, 'tools' | 'signal' | 'note' | 'confirm'> & {
  /** Plan only: no probe container, no attachment. */
  dryRun: boolean
}

/**
 * The route a plan or `values --mode bridge` shows without a cluster to probe from: the
 * given address, else the gateway of kind's network when it exists, else a placeholder.
 */
export async function plannedRoute(
  source: BridgeEndpoint,
  input: BridgeInput,
  docker: Toolbox['docker'],
): Promise<BridgeRoute> {
  if (input.hostAddress)
    return {host: validateHostAddress(input.hostAddress), port: source.published, path: 'given'}
  const network = kindNetworkName(input.env)
  // No engine to ask (values printed on another machine): the placeholder says what goes there.
  const host = await dockerHostAddress(docker, () => docker.networkGateway(network)).catch(
    (error: unknown) => {
      if (error instanceof GeniroError) return undefined
      throw error
    },
  )
  return {
    host: host ?? '<gateway of the cluster network, once it exists>',
    port: source.published,
    path: 'gateway',
  }
}

/**
 * How pods will reach a Compose service (the PostgreSQL, the Redis). kind (Linux engine): the
 * gateway of its Docker network at the published port, proven from a throwaway container on
 * that network; when that fails because the userland proxy is off, the Compose container is
 * attached to the network (with consent or --attach) and reached at its own address and
 * container port.
 */
export async function resolveRoute(
  source: BridgeEndpoint,
  target: Target,
  input: BridgeInput,
  ctx: BridgeContext,
): Promise<BridgeRoute & {network?: string; attachedContainer?: string}> {
  const {docker} = ctx.tools
  const provider = target.provider.name as 'kind' | 'minikube'
  const network = provider === 'kind' ? kindNetworkName(input.env) : target.cluster
  const gateway = await docker.networkGateway(network, ctx.signal)
  const host = input.hostAddress
    ? validateHostAddress(input.hostAddress)
    : await detectHostAddress(target, network, gateway, ctx)
  // Host address and published port: the route unless the attach fallback takes over.
  const direct: BridgeRoute = {
    host,
    port: source.published,
    path: input.hostAddress ? 'given' : 'gateway',
  }
  for (const warning of source.warnings) ctx.note(`Warning: ${warning}`)
  if (ctx.dryRun) return direct
  const vmDriver = provider === 'minikube' ? await minikubeVmDriver(target, ctx) : undefined
  if (vmDriver || gateway === undefined) {
    // No Docker network to join: a one-off pod checks PostgreSQL with pg_isready instead.
    if (!('plan' in source)) {
      ctx.note(
        `Note: not checking that pods reach ${source.service} at ${host}:${source.published} (no Docker network to probe from)`,
      )
      return direct
    }
    const probe = await probeFromPod(ctx.tools.kubectl, {
      kubeContext: target.kubeContext,
      image: input.podProbeImage,
      host,
      port: source.published,
      timeoutSeconds: PROBE_TIMEOUT_SECONDS,
      signal: ctx.signal,
    })
    if (probe.reachable) return direct
    throw new UserError(
      `pods of the ${provider} cluster "${target.cluster}"${vmDriver ? ` (driver ${vmDriver})` : ''} cannot reach ${source.service} at ${host}:${source.published}: ${probe.detail}`,
      provider === 'minikube'
        ? `publish the port on all addresses (not 127.0.0.1), allow it in the host firewall for minikube's network, or pass --host-address with the host's address as the VM sees it`
        : `publish the port on all addresses (not 127.0.0.1), or pass --host-address with an address the pods reach`,
    )
  }
  const probe = await checkGatewayPath(docker, {
    network,
    host,
    port: source.published,
    image: input.probeImage,
    timeoutSeconds: PROBE_TIMEOUT_SECONDS,
    signal: ctx.signal,
  })
  if (probe.reachable) return direct
  const why = explainUnreachable(probe, {
    provider,
    host,
    port: source.published,
    publishedOnLoopbackOnly: source.loopbackOnly,
  })
  // A refused port is the stack being down, not the proxy: attaching would not help.
  const container = source.container
  if (!container || (probe.reason === 'refused' && !source.loopbackOnly)) {
    throw new UserError(why.message, why.hint)
  }
  ctx.note(why.message)
  const consent =
    input.attach ||
    (await ctx.confirm(
      `Connect the Compose container "${container}" to the Docker network "${network}" (undone by \`geniro-dev down\`)?`,
    ))
  if (!consent) throw new UserError(why.message, why.hint)
  const attached = await attachFallback(docker, {
    network,
    container,
    containerPort: source.target,
    image: input.probeImage,
    timeoutSeconds: PROBE_TIMEOUT_SECONDS,
    signal: ctx.signal,
  })
  // Ours when we connected it, or shared when another release's bridge did (it stays until
  // the last release that records it is down); a container the user attached is never ours.
  const ours = releaseStateDir(target)
  if (
    attached.connected === 'connected' ||
    attachmentHolders({network, container}, [ours]).length > 0
  ) {
    recordAttachment(ours, {network, container})
  }
  return {
    host: attached.address,
    port: attached.port,
    path: 'attached',
    network,
    attachedContainer: container,
  }
}

/** minikube's driver for the profile when it is a VM (kvm2, qemu2, …), not a container. */
async function minikubeVmDriver(target: Target, ctx: BridgeContext): Promise<string | undefined> {
  const profile = (await ctx.tools.providers.minikube.profiles(ctx.signal)).find(
    (p) => p.name === target.cluster,
  )
  const driver = profile?.driver
  return driver && !['docker', 'podman'].includes(driver) ? driver : undefined
}

async function detectHostAddress(
  target: Target,
  network: string,
  gateway: string | undefined,
  ctx: BridgeContext,
): Promise<string> {
  if (target.provider.name === 'minikube') {
    const address = await ctx.tools.providers.minikube.hostAddress(target.cluster, ctx.signal)
    if (address) return address
    throw new UserError(
      `cannot tell the address of host.minikube.internal in the minikube profile "${target.cluster}"`,
      'pass --host-address with an address its pods reach the host at',
    )
  }
  const address = await dockerHostAddress(ctx.tools.docker, async () => gateway)
  if (address) return address
  throw new UserError(
    `the Docker network "${network}" has no IPv4 gateway to reach the host at`,
    'create the cluster first (`geniro-dev up`), or pass --host-address',
  )
}

/** Where a kind cluster's pods reach the host: Docker Desktop's name, else the network gateway. */
async function dockerHostAddress(
  docker: Toolbox['docker'],
  gateway: () => Promise<string | undefined>,
): Promise<string | undefined> {
  return (await docker.isDesktop()) ? 'host.docker.internal' : gateway()
}

/**
 * `down`: disconnects the Compose containers bridge mode attached for the state dirs being
 * torn down (the release's, or with --delete-cluster every release's of the cluster), then
 * forgets them. A container another release still records stays attached.
 */
export function detachStep(
  dirs: readonly ForwardStateDir[],
  tools: Toolbox,
): Step & {detaches: boolean} {
  const recorded = dirs.flatMap((dir) => readAttachments(dir))
  const unique = recorded.filter(
    (a, i) =>
      recorded.findIndex((b) => b.network === a.network && b.container === a.container) === i,
  )
  const detach = unique.filter((a) => attachmentHolders(a, dirs).length === 0)
  const [first] = detach
  const names = detach.map((a) => `"${a.container}"`).join(', ')
  const kept = unique.length - detach.length
  return {
    detaches: first !== undefined,
    title: first
      ? `Disconnect Compose container${detach.length > 1 ? 's' : ''} ${names} from Docker network "${first.network}"`
      : kept > 0
        ? `Keep Compose container${kept > 1 ? 's' : ''} attached: another release bridges to ${kept > 1 ? 'them' : 'it'}`
        : 'Disconnect the Compose container bridge mode attached',
    ...(first
      ? {command: ['docker', 'network', 'disconnect', first.network, first.container]}
      : kept > 0
        ? {}
        : {skip: 'none attached'}),
    run: async (signal) => {
      for (const attachment of detach) {
        await tools.docker.disconnectNetwork(attachment.network, attachment.container, signal)
      }
      for (const dir of dirs) await forgetAttachments(dir)
    },
  }
}
