import type {ClusterSpec, ClusterState} from '../core/cluster.js'
import {UsageError, UserError} from '../core/errors.js'
import type {ClusterProvider, ReachProbe} from './cluster-provider.js'
import {toolFailure, type Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

/** Enough for the chart's API, web, LiteLLM, Keycloak and data services on one node. */
export const MINIKUBE_DEFAULT_CPUS = 4
export const MINIKUBE_DEFAULT_MEMORY_MIB = 8192

// The first start downloads the node image and a Kubernetes preload (~1 GB together).
const CREATE_TIMEOUT_MS = 15 * 60_000
const START_TIMEOUT_MS = 10 * 60_000
const DELETE_TIMEOUT_MS = 5 * 60_000
// Caching a large image from the engine, then a transfer into the node.
const LOAD_IMAGE_TIMEOUT_MS = 10 * 60_000
// `profile list` asks the driver for each profile's status: slow with several profiles.
const PROFILE_LIST_TIMEOUT_MS = 60_000
/** Every non-zero exit: `profile list` is read for its output, whatever the exit code. */
const ANY_EXIT_CODE = Array.from({length: 255}, (_, index) => index + 1)
const NO_PROFILE = /MK_USAGE_NO_PROFILE|no minikube profile|no such file or directory|not exist/i
const ENOENT = 2
/** The name minikube writes into the node's /etc/hosts (and CoreDNS) for the host machine. */
export const MINIKUBE_HOST_ALIAS = 'host.minikube.internal'

export const MINIKUBE_UNREACHABLE_HINT =
  "publish the port on all addresses (not 127.0.0.1), allow it in the host firewall for minikube's network, or pass --host-address with the host's address as the VM sees it"

/** Drivers whose nodes are containers on a Docker (or Podman) network. */
const CONTAINER_DRIVERS = new Set(['docker', 'podman'])
const SSH_TIMEOUT_MS = 60_000
/** `minikube ssh` exits 1 for any failing remote command, saying so on stderr. */
const REMOTE_EXIT_1 = /Process exited with status 1\b/

export interface MinikubeProfile {
  name: string
  /** minikube's own word: Running, Stopped, Paused, Starting, Error, Unknown, … */
  status: string
  /** false for profiles minikube lists under "invalid" (a config it cannot load). */
  valid: boolean
  /** docker, podman, kvm2, qemu2, hyperkit, virtualbox, … (`Config.Driver`). */
  driver?: string
  /** The nodes' addresses (`Config.Nodes[].IP`). */
  nodeAddresses: string[]
}

// minikube >= 1.34 reports a running profile as "OK", older releases as "Running".
const RUNNING_STATUSES = new Set(['Running', 'OK'])

/**
 * minikube (https://minikube.sigs.k8s.io) as a cluster provider. A cluster is a profile
 * (`-p`); its kube context has the profile's name. Every start passes `--keep-context`, so the
 * user's current context is never switched.
 */
export class Minikube extends ToolAdapter implements ClusterProvider {
  readonly name = 'minikube' as const

  constructor(exec?: Exec, binary = 'minikube') {
    super(exec, binary)
  }

  /** e.g. "v1.34.0". */
  async version(signal?: AbortSignal): Promise<string> {
    return (await this.run(['version', '--short'], {signal})).stdout.trim()
  }

  installed(signal?: AbortSignal): Promise<boolean> {
    return this.answers(() => this.version(signal))
  }

  /**
   * `minikube profile list -o json`: `{"invalid":[…],"valid":[{"Name","Status",…}]}`.
   * Without any profile, minikube versions differ: recent ones print empty lists (exit 0),
   * others exit non-zero with `{"error":{"Op":"open","Path":"…/profiles","Err":2}}` or
   * "Exiting due to MK_USAGE_NO_PROFILE: No minikube profile was found." — all mean none.
   */
  async profiles(signal?: AbortSignal): Promise<MinikubeProfile[]> {
    const args = ['profile', 'list', '-o', 'json']
    const result = await this.run(args, {
      signal,
      timeoutMs: PROFILE_LIST_TIMEOUT_MS,
      okExitCodes: ANY_EXIT_CODE,
    })
    const body = parseJsonObject(result.stdout)
    if (body && (Array.isArray(body.valid) || Array.isArray(body.invalid))) {
      return [...profileList(body.valid, true), ...profileList(body.invalid, false)]
    }
    if (result.exitCode !== 0 && saysNoProfile(body, `${result.stdout}\n${result.stderr}`)) {
      return []
    }
    throw toolFailure(this.binary, args, result)
  }

  /**
   * Running only when minikube says "OK" or "Running". Any other status of an existing profile
   * (Stopped, Paused, Starting, Error, Unknown, Nonexistent…), and an invalid profile, is
   * "stopped": it exists, so it is never created over, and `minikube start` is what brings it
   * back (or reports, in minikube's own words, why it cannot).
   */
  async state(cluster: string, signal?: AbortSignal): Promise<ClusterState> {
    const profile = (await this.profiles(signal)).find((p) => p.name === cluster)
    if (!profile) return 'absent'
    return profile.valid && RUNNING_STATUSES.has(profile.status) ? 'running' : 'stopped'
  }

  /** The profile's node addresses, and its name (the node container's, with the docker driver). */
  async apiServerHosts(cluster: string, signal?: AbortSignal): Promise<string[]> {
    const profile = (await this.profiles(signal)).find((p) => p.name === cluster)
    return profile ? [cluster, ...profile.nodeAddresses] : []
  }

  contextName(cluster: string): string {
    return cluster
  }

  createCommand(spec: ClusterSpec): string[] {
    const cpus = positiveInteger(spec.cpus ?? MINIKUBE_DEFAULT_CPUS, 'CPU count')
    const memory = positiveInteger(spec.memoryMiB ?? MINIKUBE_DEFAULT_MEMORY_MIB, 'memory (MiB)')
    return [
      this.binary,
      'start',
      '-p',
      spec.name,
      `--kubernetes-version=v${spec.kubernetesVersion.raw}`,
      `--cpus=${cpus}`,
      `--memory=${memory}`,
      '--keep-context',
    ]
  }

  /**
   * Restarts an existing profile with the settings it was created with: minikube ignores
   * changed --cpus/--memory on an existing profile (with a warning), so none are passed.
   */
  startCommand(cluster: string): string[] {
    return [this.binary, 'start', '-p', cluster, '--keep-context']
  }

  deleteCommand(cluster: string): string[] {
    return [this.binary, 'delete', '-p', cluster]
  }

  /**
   * `minikube image load --daemon`: the image from the engine (never a registry) into the
   * profile's container runtime. `--overwrite=false`: geniro-dev's tags name their content, so
   * a node that has the tag has the image, and a re-run transfers nothing.
   */
  loadImageCommand(cluster: string, image: string): string[] {
    return [this.binary, 'image', 'load', image, '-p', cluster, '--daemon', '--overwrite=false']
  }

  async loadImage(cluster: string, image: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.loadImageCommand(cluster, image).slice(1), {
      signal,
      timeoutMs: LOAD_IMAGE_TIMEOUT_MS,
    })
  }

  async create(spec: ClusterSpec, signal?: AbortSignal): Promise<void> {
    await this.run(this.createCommand(spec).slice(1), {signal, timeoutMs: CREATE_TIMEOUT_MS})
  }

  async start(cluster: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.startCommand(cluster).slice(1), {signal, timeoutMs: START_TIMEOUT_MS})
  }

  async delete(cluster: string, signal?: AbortSignal): Promise<void> {
    await this.run(this.deleteCommand(cluster).slice(1), {signal, timeoutMs: DELETE_TIMEOUT_MS})
  }

  /** With the docker or podman driver, minikube names the profile's network after it. */
  nodeNetwork(cluster: string): string {
    return cluster
  }

  /** host.minikube.internal as the profile's node resolves it (hostAliasAddress). */
  async hostAddress(cluster: string, _network: unknown, signal?: AbortSignal): Promise<string> {
    const address = await this.hostAliasAddress(cluster, signal)
    if (address) return address
    throw new UserError(
      `cannot tell the address of ${MINIKUBE_HOST_ALIAS} in the minikube profile "${cluster}"`,
      'pass --host-address with an address its pods reach the host at',
    )
  }

  /** A VM driver (kvm2, qemu2, …) has no Docker network to probe from: a pod checks. */
  async reachProbe(cluster: string, signal?: AbortSignal): Promise<ReachProbe> {
    const driver = (await this.profiles(signal)).find((p) => p.name === cluster)?.driver
    return driver && !CONTAINER_DRIVERS.has(driver)
      ? {via: 'pod', reason: `driver ${driver}`}
      : {via: 'network'}
  }

  readonly unreachableHint = MINIKUBE_UNREACHABLE_HINT

  /**
   * The address of host.minikube.internal as the profile's node sees it (minikube start
   * writes it into the node's /etc/hosts; the IP differs by driver). Read with `grep` rather
   * than `getent`, which not every node image has. Undefined when the node has no such entry;
   * a missing or stopped profile throws with minikube's own words.
   */
  async hostAliasAddress(profile: string, signal?: AbortSignal): Promise<string | undefined> {
    const args = ['ssh', '-p', profile, '--', 'grep', MINIKUBE_HOST_ALIAS, '/etc/hosts']
    const result = await this.run(args, {signal, timeoutMs: SSH_TIMEOUT_MS, okExitCodes: [1]})
    if (result.exitCode !== 0) {
      if (REMOTE_EXIT_1.test(result.stderr)) return undefined
      throw toolFailure(this.binary, args, result)
    }
    return hostsEntry(result.stdout, MINIKUBE_HOST_ALIAS)
  }
}

/** The address /etc/hosts lines give a name (IPv4 first), or undefined. */
export function hostsEntry(hosts: string, name: string): string | undefined {
  const addresses = hosts.split('\n').flatMap((line) => {
    const [address, ...names] = line.replace(/#.*$/, '').trim().split(/\s+/)
    return address && names.includes(name) ? [address] : []
  })
  return addresses.find((address) => !address.includes(':')) ?? addresses[0]
}

/** The JSON object in minikube's stdout (it may follow other lines), or undefined. */
function parseJsonObject(stdout: string): Record<string, unknown> | undefined {
  const start = stdout.indexOf('{')
  if (start < 0) return undefined
  try {
    const value: unknown = JSON.parse(stdout.slice(start))
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

function profileList(value: unknown, valid: boolean): MinikubeProfile[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((entry: unknown) => {
    const {Name, Status, Config} = (entry ?? {}) as {
      Name?: unknown
      Status?: unknown
      Config?: {Driver?: unknown; Nodes?: unknown}
    }
    if (typeof Name !== 'string') return []
    const driver = typeof Config?.Driver === 'string' ? Config.Driver : undefined
    const nodes = Array.isArray(Config?.Nodes) ? (Config.Nodes as Array<{IP?: unknown}>) : []
    return [
      {
        name: Name,
        status: typeof Status === 'string' ? Status : '',
        valid,
        ...(driver ? {driver} : {}),
        nodeAddresses: nodes.flatMap((n) => (typeof n?.IP === 'string' && n.IP ? [n.IP] : [])),
      },
    ]
  })
}

/** A JSON error for a missing profiles directory (ENOENT), or minikube's "no profile" message. */
function saysNoProfile(body: Record<string, unknown> | undefined, text: string): boolean {
  const error = body?.error
  if (error && typeof error === 'object' && (error as {Err?: unknown}).Err === ENOENT) return true
  if (body && error === undefined) return false
  return NO_PROFILE.test(typeof error === 'string' ? error : text)
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`invalid minikube ${what}: ${value}`, 'use a positive whole number')
  }
  return value
}
