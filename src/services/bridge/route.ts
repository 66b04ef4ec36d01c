// Bridge mode: how the cluster's pods reach the Compose services (the host's address, or the
// Compose container attached to the cluster's network), and undoing an attachment on `down`.
import {
  attachmentHolders,
  forgetAttachments,
  readAttachments,
  recordAttachment,
} from '../../adapters/bridge-state.js'
import {type ForwardStateDir} from '../../adapters/forward-state.js'
import type {BridgeRoute} from '../../core/bridge-values.js'
import {GeniroError, UserError} from '../../core/errors.js'
import {validateHostAddress} from '../../core/host-address.js'
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
  tools: Pick<Toolbox, 'docker' | 'providers'>,
): Promise<BridgeRoute> {
  if (input.hostAddress)
    return {host: validateHostAddress(input.hostAddress), port: source.published, path: 'given'}
  const kind = tools.providers.kind
  const name = kind.nodeNetwork('', input.env)
  // No engine to ask, or no network yet (values printed on another machine, or before the
  // cluster exists): the placeholder says what goes there.
  const host = await tools.docker
    .networkGateway(name)
    .then((gateway) => kind.hostAddress('', {name, gateway}))
    .catch((error: unknown) => {
      if (error instanceof GeniroError) return undefined
      throw error
    })
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
  const {provider, cluster} = target
  const network = provider.nodeNetwork(cluster, input.env)
  const gateway = await docker.networkGateway(network, ctx.signal)
  const host = input.hostAddress
    ? validateHostAddress(input.hostAddress)
    : await provider.hostAddress(cluster, {name: network, gateway}, ctx.signal)
  // Host address and published port: the route unless the attach fallback takes over.
  const direct: BridgeRoute = {
    host,
    port: source.published,
    path: input.hostAddress ? 'given' : 'gateway',
  }
  for (const warning of source.warnings) ctx.note(`Warning: ${warning}`)
  if (ctx.dryRun) return direct
  const reach = await provider.reachProbe(cluster, ctx.signal)
  if (reach.via === 'pod' || gateway === undefined) {
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
      `pods of the ${provider.name} cluster "${cluster}"${reach.via === 'pod' ? ` (${reach.reason})` : ''} cannot reach ${source.service} at ${host}:${source.published}: ${probe.detail}`,
      provider.unreachableHint,
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
    provider: provider.name,
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
  const ours = ctx.tools.state.releaseDir(target)
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
