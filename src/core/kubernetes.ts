import {UsageError} from './errors.js'
import {parseVersion, versionAtLeast, type Version} from './version.js'

/** The chart's floor (Chart.yaml kubeVersion). */
export const MIN_KUBERNETES_VERSION = '1.27.0'
/** What a new local cluster runs unless --k8s-version says otherwise. */
export const DEFAULT_KUBERNETES_VERSION = '1.34.0'

/** kubectl supports one minor version of skew either way against the API server. */
export function kubectlSkew(kubectl: Version, cluster: Version): number {
  if (kubectl.major !== cluster.major) return Number.POSITIVE_INFINITY
  return kubectl.minor - cluster.minor
}

/** The --k8s-version a user asked for, refused below the chart's floor. */
export function parseTargetKubernetes(text: string): Version {
  const version = parseVersion(text)
  if (!version || !/^v?\d+\.\d+(\.\d+)?$/.test(text.trim())) {
    throw new UsageError(
      `--k8s-version "${text}" is not a Kubernetes version`,
      'use a version such as 1.34 or 1.34.0',
    )
  }
  if (!versionAtLeast(version, MIN_KUBERNETES_VERSION)) {
    throw new UsageError(
      `--k8s-version ${version.raw} is below the chart's minimum ${MIN_KUBERNETES_VERSION}`,
      `use Kubernetes ${MIN_KUBERNETES_VERSION} or newer`,
    )
  }
  return version
}
