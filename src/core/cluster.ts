import {ToolNotFoundError, UsageError, UserError} from './errors.js'
import {installHint} from './tools.js'
import type {Version} from './version.js'

export type ProviderName = 'kind' | 'minikube'
export const PROVIDERS: readonly ProviderName[] = ['kind', 'minikube']

/** absent: no such cluster; stopped: it exists but its node is not running. */
export type ClusterState = 'absent' | 'running' | 'stopped'

export interface ClusterSpec {
  name: string
  kubernetesVersion: Version
  /** kind only: node image override (default kindest/node:v<kubernetesVersion>). */
  nodeImage?: string
  /** minikube only. */
  cpus?: number
  memoryMiB?: number
}

/** The kube context a provider writes for a cluster. */
export function kubeContextFor(provider: ProviderName, cluster: string): string {
  return provider === 'kind' ? `kind-${cluster}` : cluster
}

// kind and minikube both name Docker containers and kube contexts after the cluster.
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/
// Helm: a DNS-1123 subdomain of at most 53 characters.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export function validateClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new UsageError(
      `invalid cluster name "${name}"`,
      'use 1-40 lowercase letters, digits and "-", starting and ending with a letter or digit',
    )
  }
  return name
}

export function validateNamespace(name: string): string {
  if (!DNS_LABEL.test(name)) {
    throw new UsageError(
      `invalid namespace "${name}"`,
      'use a DNS label: 1-63 lowercase letters, digits and "-"',
    )
  }
  return name
}

export function validateReleaseName(name: string): string {
  if (name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new UsageError(
      `invalid release name "${name}"`,
      'use at most 53 lowercase letters, digits, "-" and "."',
    )
  }
  return name
}

export interface ProviderFacts {
  installed: Record<ProviderName, boolean>
  /** Providers that already have a cluster of this name. */
  hasCluster: Record<ProviderName, boolean>
}

/**
 * --provider if given; else the provider that already has this cluster; else kind if it is
 * installed; else minikube. Refuses a provider that is not installed.
 */
export function chooseProvider(
  requested: ProviderName | undefined,
  facts: ProviderFacts,
): ProviderName {
  if (requested) {
    if (!facts.installed[requested]) {
      throw new ToolNotFoundError(
        requested,
        `${installHint(requested)}, or choose the other provider`,
      )
    }
    return requested
  }
  const existing = PROVIDERS.filter((p) => facts.hasCluster[p])
  if (existing.length === 1) return existing[0]!
  if (existing.length > 1) {
    throw new UserError(
      'both kind and minikube have a cluster of this name',
      'pass --provider kind or --provider minikube',
    )
  }
  const installed = PROVIDERS.find((p) => facts.installed[p])
  if (!installed) {
    throw new ToolNotFoundError('kind or minikube', `${installHint('kind')}, or minikube`)
  }
  return installed
}

/**
 * Every kubectl and helm call names its context. Anything but the managed local cluster's
 * own context is refused unless the user explicitly allows it: a production context must
 * never be hit by accident.
 */
export function resolveKubeContext(input: {
  provider: ProviderName
  cluster: string
  requested?: string
  allowRemote: boolean
}): string {
  const managed = kubeContextFor(input.provider, input.cluster)
  if (!input.requested || input.requested === managed) return managed
  if (input.allowRemote) return input.requested
  throw new UserError(
    `refusing kube context "${input.requested}": it is not the local ${input.provider} cluster geniro-dev manages ("${managed}")`,
    'drop --kube-context to use the local cluster, or pass --allow-remote-context if you really mean that cluster',
  )
}
