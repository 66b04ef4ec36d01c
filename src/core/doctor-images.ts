// The checks of the images a cluster is made from: kind's node image against the installed kind,
// its presence in the engine or a registry, and minikube against the Kubernetes asked for.
import {kindFitFor} from './kind-releases.js'
import {KIND_NODE_IMAGES, supportedKindMinors} from './kind-node-image.js'
import {parseVersion, versionAtLeast, type Version} from './version.js'
import type {CheckResult, ToolProbe} from './doctor.js'

/** Whether the engine has the node image, and what its registry said. */
export interface NodeImageProbe {
  image: string
  /** undefined when the engine could not be asked. */
  local?: boolean
  registry: {state: 'found' | 'missing' | 'unreachable' | 'unknown'; detail: string}
}

const INSTALL_KIND = 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation'
const OFFLINE_README = 'see "Offline" in the README'

/**
 * kind against the node image `up` would run: kind supports a node image with the kind
 * release that published it, others on a best-effort basis, and no kind runs a Kubernetes
 * minor newer than itself (see kind-releases.ts).
 */
export function checkKindNodeImage(kind: ToolProbe & {state: 'found'}, image: string): CheckResult {
  const base = {id: 'kind-node-image', title: 'kind vs node image'}
  const installed = parseVersion(kind.version)?.raw ?? kind.version
  const fit = kindFitFor(kind.version, image)
  const details = {kind: installed, image, ...('builtFor' in fit ? {builtFor: fit.builtFor} : {})}
  const fitting = minorsFitting(kind.version)
  const otherVersion = fitting.length
    ? `, or pass --k8s-version ${fitting.at(-1)} (the newest minor this kind published)`
    : ''
  switch (fit.fit) {
    case 'too-old': {
      const needed = fit.builtFor ?? fit.firstKind
      return {
        ...base,
        status: 'fail',
        message: `kind ${installed} is older than Kubernetes ${fit.minor}: ${image} needs kind v${needed} or newer`,
        fix: `install kind v${needed} or newer (${INSTALL_KIND})${otherVersion}`,
        details,
      }
    }
    case 'older':
      return {
        ...base,
        status: 'warn',
        message: `${image} was published with kind v${fit.builtFor}; kind ${installed} runs it on a best-effort basis`,
        fix: `install kind v${fit.builtFor} or newer (${INSTALL_KIND})${otherVersion}`,
        details,
      }
    case 'ok':
      return {
        ...base,
        status: 'pass',
        message: `kind ${installed} runs ${image}${fit.builtFor ? ` (published with kind v${fit.builtFor})` : ''}`,
        details,
      }
    case 'unknown':
      return {
        ...base,
        status: 'pass',
        message: `kind ${installed} with ${image}: not an image geniro-dev can match to a kind release`,
        details,
      }
  }
}

/** The Kubernetes minors of the pinned node images that this kind runs as published. */
function minorsFitting(kindVersion: string): string[] {
  return supportedKindMinors().filter(
    (minor) => kindFitFor(kindVersion, KIND_NODE_IMAGES[minor]!).fit === 'ok',
  )
}

/**
 * The node image on this engine, or its registry: present and reachable passes; present but
 * offline warns (the cluster can be created, the chart's images must come some other way);
 * absent and unreachable fails with the ways to get it.
 */
export function checkNodeImage(probe: NodeImageProbe): CheckResult {
  const base = {id: 'node-image', title: 'Node image'}
  const {image, local, registry} = probe
  const details = {image, local: local ?? null, registry: registry.state}
  const offlineFix = `load it from a saved file (\`docker load -i node.tar\`; ${OFFLINE_README}), pass --node-image with an image you have (\`docker image ls kindest/node\`), or fix the network/proxy (if Docker pulls through a proxy of its own, \`docker pull ${image}\` settles it)`
  if (local) {
    if (registry.state === 'found' || registry.state === 'missing') {
      return {...base, status: 'pass', message: `${image} is present locally`, details}
    }
    return {
      ...base,
      status: 'warn',
      message: `${image} is present locally, but no registry answered (${registry.detail}): the cluster can be created offline, the chart's images cannot be pulled`,
      fix: `load the chart's images into the cluster or use a mirror with global.imageRegistry (${OFFLINE_README})`,
      details,
    }
  }
  const where = local === undefined ? 'could not be looked up locally' : 'is not present locally'
  switch (registry.state) {
    case 'found':
      return {
        ...base,
        status: 'pass',
        message: `${image} ${where}; its registry has it, \`up\` pulls it`,
        details,
      }
    case 'missing':
      return {
        ...base,
        status: 'fail',
        message: `${image} ${where}, and its registry has no such image (${registry.detail})`,
        fix: 'check --k8s-version (kind publishes node images per release) or the --node-image you passed',
        details,
      }
    case 'unreachable':
      return {
        ...base,
        status: 'fail',
        message: `${image} ${where}, and no registry answered (${registry.detail})`,
        fix: offlineFix,
        details,
      }
    case 'unknown':
      return {
        ...base,
        status: 'warn',
        message: `${image} ${where}, and asking its registry failed (${registry.detail})`,
        fix: `\`docker pull ${image}\` now shows whether Docker can get it; otherwise ${offlineFix}`,
        details,
      }
  }
}

/**
 * The Kubernetes versions each minikube release supports (kubernetes/minikube
 * pkg/minikube/constants/constants.go at the tag: OldestKubernetesVersion and
 * NewestKubernetesVersion). Oldest first.
 */
export const MINIKUBE_KUBERNETES: ReadonlyArray<{
  minikube: string
  oldest: string
  newest: string
}> = [
  {minikube: '1.30.0', oldest: '1.16.0', newest: '1.27.0'},
  {minikube: '1.31.0', oldest: '1.16.0', newest: '1.27.3'},
  {minikube: '1.31.2', oldest: '1.16.0', newest: '1.28.0'},
  {minikube: '1.32.0', oldest: '1.16.0', newest: '1.28.3'},
  {minikube: '1.33.0', oldest: '1.20.0', newest: '1.30.0'},
  {minikube: '1.34.0', oldest: '1.20.0', newest: '1.31.0'},
  {minikube: '1.35.0', oldest: '1.20.0', newest: '1.32.0'},
  {minikube: '1.36.0', oldest: '1.20.0', newest: '1.33.1'},
  {minikube: '1.37.0', oldest: '1.28.0', newest: '1.34.0'},
  {minikube: '1.38.0', oldest: '1.28.0', newest: '1.35.0'},
  {minikube: '1.38.1', oldest: '1.28.0', newest: '1.35.1'},
]

/**
 * minikube against the Kubernetes version: below its oldest it refuses to start
 * (K8S_OLD_UNSUPPORTED); above its newest minor it warns and needs the version listed or
 * found online (K8S_NEW_UNSUPPORTED otherwise).
 */
export function checkMinikubeKubernetes(
  minikube: ToolProbe & {state: 'found'},
  target: Version,
): CheckResult {
  const base = {id: 'minikube-kubernetes', title: 'minikube vs Kubernetes'}
  const installed = parseVersion(minikube.version)
  const wanted = `${target.major}.${target.minor}`
  const details = {minikube: installed?.raw ?? minikube.version, targetKubernetes: target.raw}
  const entry = installed
    ? MINIKUBE_KUBERNETES.findLast((row) => versionAtLeast(installed, row.minikube))
    : undefined
  const upgradeTo = MINIKUBE_KUBERNETES.find((row) => {
    const newest = parseVersion(row.newest)!
    return (
      newest.major > target.major || (newest.major === target.major && newest.minor >= target.minor)
    )
  })
  const upgrade = `upgrade minikube${upgradeTo ? ` to v${upgradeTo.minikube} or newer` : ''} (https://minikube.sigs.k8s.io/docs/start/)`
  if (!installed || !entry) {
    return {
      ...base,
      status: 'warn',
      message: `minikube ${minikube.version} is older than any release geniro-dev knows`,
      fix: upgrade,
      details,
    }
  }
  if (!versionAtLeast(target, entry.oldest)) {
    return {
      ...base,
      status: 'fail',
      message: `minikube ${installed.raw} supports Kubernetes ${entry.oldest} or newer, not ${target.raw}`,
      fix: `pass --k8s-version ${entry.oldest.replace(/\.\d+$/, '')} or newer`,
      details,
    }
  }
  const newest = parseVersion(entry.newest)!
  if (
    target.major > newest.major ||
    (target.major === newest.major && target.minor > newest.minor)
  ) {
    return {
      ...base,
      status: 'warn',
      message: `minikube ${installed.raw} knows Kubernetes up to ${entry.newest}; ${wanted} starts only if minikube finds it in its lists or online`,
      fix: `${upgrade}, or pass --k8s-version ${newest.major}.${newest.minor}`,
      details,
    }
  }
  return {
    ...base,
    status: 'pass',
    message: `minikube ${installed.raw} supports Kubernetes ${wanted} (${entry.oldest} to ${entry.newest})`,
    details,
  }
}
