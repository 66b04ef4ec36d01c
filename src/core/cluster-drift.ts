// An existing cluster is reused as it is: when it runs another Kubernetes than `up` asks for,
// the user is told (and how to get the one asked for), as ctlptl reports a cluster that
// differs from its spec instead of silently keeping or replacing it.
import type {ProviderName} from './cluster.js'
import {parseVersion, type Version} from './version.js'

export interface DriftInput {
  provider: ProviderName
  cluster: string
  /** The API server's gitVersion, e.g. "v1.33.1". */
  running: string
  /** --k8s-version (its default included). */
  requested: Version
  /** --node-image (kind): its tag says the version when it names one. */
  nodeImage?: string
}

/** The warning for a cluster that runs another Kubernetes than asked for, or undefined. */
export function clusterDrift(input: DriftInput): string | undefined {
  const running = parseVersion(input.running)
  const wanted = wantedVersion(input)
  if (!running || !wanted) return undefined
  const sameMinor = running.major === wanted.major && running.minor === wanted.minor
  if (sameMinor && (!wanted.patchGiven || running.patch === wanted.patch)) return undefined
  const asked = wanted.patchGiven ? wanted.raw : `${wanted.major}.${wanted.minor}`
  return (
    `the ${input.provider} cluster "${input.cluster}" runs Kubernetes ${running.raw}, not the ` +
    `${asked} asked for; it is used as it is (\`--recreate\` re-creates it with ${asked}, deleting its data)`
  )
}

function wantedVersion(input: DriftInput): Version | undefined {
  if (input.provider !== 'kind' || input.nodeImage === undefined) return input.requested
  // A node image of one's own says its version in its tag, if anywhere: kindest/node:v1.33.1.
  const tag = /:(v?\d+\.\d+(?:\.\d+)?)(?:@|$)/.exec(input.nodeImage)?.[1]
  return tag ? parseVersion(tag) : undefined
}
