/**
 * Whether pods of a local kind/minikube cluster reach the developer's Compose PostgreSQL, checked
 * for real from a throwaway container on the cluster nodes' Docker network (no cluster needed),
 * and the reversible fallback when they do not: attaching the Compose container to that network.
 *
 * Field facts (docs/ARCHITECTURE.md, "Reaching the host from a pod"): from the `kind` network, a port another bridge network publishes
 * on 0.0.0.0 answers at the `kind` gateway only while the daemon's userland proxy is on; with
 * `"userland-proxy": false` the connection times out. An attached container answers at its
 * address on the network and its container port in every mode.
 */
import {randomBytes} from 'node:crypto'
import type {Docker} from '../adapters/docker.js'
import type {TcpProbe} from '../core/tcp-probe.js'
import type {Kubectl} from '../adapters/kubectl.js'
import {UserError} from '../core/errors.js'

/** How pods reach PostgreSQL: the host's published port at the gateway, or the attached container. */
export interface ReachPlan {
  network: string
  host: string
  port: number
  path: 'gateway' | 'attached'
  /** The Compose container attached to `network` (path 'attached'). */
  container?: string
}

export interface GatewayPathInput {
  /** The Docker network the cluster nodes sit on (kind's, or the minikube profile's). */
  network: string
  /** The gateway (or the address given with --host-address). */
  host: string
  /** The published port. */
  port: number
  image: string
  timeoutSeconds: number
  signal?: AbortSignal
}

export interface AttachInput {
  network: string
  container: string
  /** The port PostgreSQL listens on inside the container (5432 in "5439:5432"). */
  containerPort: number
  image: string
  timeoutSeconds: number
  signal?: AbortSignal
}

export interface AttachResult {
  /** The container's IPv4 address on the network. */
  address: string
  port: number
  probe: TcpProbe
  /** 'already': it was attached before; nothing was changed, so nothing is to be undone. */
  connected: 'connected' | 'already'
}

type ProbeDocker = Pick<Docker, 'probeTcp'>
type AttachDocker = Pick<
  Docker,
  'probeTcp' | 'connectNetwork' | 'disconnectNetwork' | 'containerAddress'
>

/** A path that was checked and does not work; carries the probe when there was one. */
export class UnreachableError extends UserError {
  constructor(
    message: string,
    hint: string,
    readonly probe?: TcpProbe,
  ) {
    super(message, hint)
  }
}

/** The gateway path: host:port tried from a container on the cluster's network. */
export function checkGatewayPath(docker: ProbeDocker, input: GatewayPathInput): Promise<TcpProbe> {
  return docker.probeTcp({
    network: input.network,
    image: input.image,
    host: input.host,
    port: input.port,
    timeoutSeconds: input.timeoutSeconds,
    signal: input.signal,
  })
}

/**
 * Attaches the container to the network, reads its address there and proves the container
 * port answers from a container on that network. On any failure after attaching (the probe
 * fails, no address, an abort) the container is disconnected again, so nothing is left
 * changed, and the failure is thrown. A container that was attached before stays attached.
 */
export async function attachFallback(
  docker: AttachDocker,
  input: AttachInput,
): Promise<AttachResult> {
  const {network, container, containerPort, signal} = input
  const connected = await docker.connectNetwork(network, container, signal)
  try {
    const address = await docker.containerAddress(container, network, signal)
    if (!address) {
      throw new UnreachableError(
        `the container "${container}" has no IPv4 address on the Docker network "${network}"`,
        `is it running? \`docker ps --filter name=${container}\``,
      )
    }
    const probe = await docker.probeTcp({
      network,
      image: input.image,
      host: address,
      port: containerPort,
      timeoutSeconds: input.timeoutSeconds,
      signal,
    })
    if (!probe.reachable) {
      throw new UnreachableError(
        `the container "${container}" does not answer at ${address}:${containerPort} on the ` +
          `Docker network "${network}" (${probe.reason}: ${probe.detail})` +
          (connected === 'connected' ? '; it was disconnected again' : ''),
        probe.reason === 'refused'
          ? `nothing listens on port ${containerPort} inside the container: check the Compose ` +
              `service's container port (the right side of "published:container") and that the ` +
              `server listens on all addresses (PostgreSQL: listen_addresses = '*'; Redis: bind)`
          : `traffic between containers on "${network}" is dropped: check the engine's firewall ` +
              `(iptables DOCKER-USER rules) or pass --host-address with an address pods reach`,
        probe,
      )
    }
    return {address, port: containerPort, probe, connected}
  } catch (error) {
    if (connected === 'connected') {
      // Not under the caller's signal: an interrupted attach must still be undone.
      try {
        await docker.disconnectNetwork(network, container)
      } catch (undo) {
        const reason = undo instanceof Error ? undo.message : String(undo)
        throw new UserError(
          `${error instanceof Error ? error.message : String(error)}; and disconnecting ` +
            `"${container}" from "${network}" again failed: ${reason}`,
          `disconnect it yourself: docker network disconnect ${network} ${container}`,
        )
      }
    }
    throw error
  }
}

/** Why a probe failed, in words a developer can act on. */
export function explainUnreachable(
  probe: TcpProbe,
  ctx: {
    provider: 'kind' | 'minikube'
    host: string
    port: number
    publishedOnLoopbackOnly?: boolean
  },
): {message: string; hint: string} {
  const where = `${ctx.host}:${ctx.port}`
  const from = `from the ${ctx.provider} cluster's Docker network`
  const attach =
    `or pass --attach to connect the Compose container to the cluster's Docker network ` +
    `instead (reversible: \`geniro-dev down\` disconnects it)`
  if (probe.reachable) return {message: `pods reach ${where}`, hint: ''}
  if (ctx.publishedOnLoopbackOnly) {
    return {
      message:
        `pods cannot reach ${where}: Compose publishes the port on 127.0.0.1 only, which is ` +
        `the host's loopback, out of the cluster's reach (${probe.reason}: ${probe.detail})`,
      hint:
        `publish it on all addresses (ports: "${ctx.port}:<container port>", or ` +
        `"0.0.0.0:${ctx.port}:<container port>") and recreate the service, ${attach}`,
    }
  }
  switch (probe.reason) {
    case 'refused':
      return {
        message:
          `nothing accepts connections at ${where} ${from} (connection refused: ${probe.detail}): ` +
          `no process listens on that published port`,
        hint:
          `is the Compose stack up? Start it (\`docker compose up -d\`) and check that ` +
          `\`docker compose ps\` shows port ${ctx.port} published`,
      }
    case 'timeout':
      return {
        message:
          `connecting to ${where} ${from} timed out (${probe.detail}): the Docker daemon's ` +
          `userland proxy is probably off (daemon.json "userland-proxy": false), and without it ` +
          `the engine drops traffic from the ${ctx.provider} network to ports another network ` +
          `publishes`,
        hint: `turn the userland proxy back on (and restart dockerd), ${attach}`,
      }
    case 'unresolved':
      return {
        message: `${ctx.host} does not resolve ${from} (${probe.detail})`,
        hint: 'pass --host-address with an IP address pods can reach, or omit it to detect one',
      }
    default:
      return {
        message: `there is no route to ${where} ${from} (${probe.detail})`,
        hint:
          `pass --host-address with the IPv4 gateway of the cluster's Docker network ` +
          `(\`docker network inspect <network>\`), or omit it to detect one, ${attach}`,
      }
  }
}

/** The image of the one-off pod that checks PostgreSQL where no Docker network can be joined. */
export const DEFAULT_POD_PROBE_IMAGE = 'postgres:17.6-alpine'

/**
 * The check for clusters whose nodes sit on no Docker network (minikube's VM drivers): a
 * one-off pod runs `pg_isready` against host:port, as the platform's pods would connect.
 */
export async function probeFromPod(
  kubectl: Pick<Kubectl, 'runOnce'>,
  input: {
    kubeContext: string
    image: string
    host: string
    port: number
    timeoutSeconds: number
    signal?: AbortSignal
  },
): Promise<TcpProbe> {
  const {output} = await kubectl.runOnce(
    {
      name: `geniro-dev-probe-${randomBytes(4).toString('hex')}`,
      image: input.image,
      namespace: 'default',
      kubeContext: input.kubeContext,
      command: [
        'pg_isready',
        '--host',
        input.host,
        '--port',
        String(input.port),
        '--timeout',
        String(input.timeoutSeconds),
      ],
      timeoutSeconds: input.timeoutSeconds,
    },
    input.signal,
  )
  // pg_isready: "H:P - accepting connections" (or "rejecting": the server is there, busy).
  const answered = /- (accepting|rejecting) connections/.test(output)
  return {
    reachable: answered,
    reason: answered ? 'connected' : /no response/.test(output) ? 'timeout' : 'unreachable',
    detail: output.split('\n').filter(Boolean).slice(-2).join(' | ') || 'no output',
  }
}
