import {kindFitFor} from './kind-releases.js'
import {KIND_NODE_IMAGES, supportedKindMinors} from './kind-node-image.js'
import {kubectlSkew} from './kubernetes.js'
import type {ForwardTarget} from './port-table.js'
import {parseVersion, versionAtLeast, type Version} from './version.js'

export type CheckStatus = 'pass' | 'warn' | 'fail'

export interface CheckResult {
  id: string
  title: string
  status: CheckStatus
  message: string
  /** A concrete next step; present whenever status is not pass. */
  fix?: string
  details?: Record<string, unknown>
}

export interface DoctorReport {
  ok: boolean
  summary: Record<CheckStatus, number>
  checks: CheckResult[]
}

/** What probing one tool found: its version, that it is missing, or that it failed. */
export type ToolProbe =
  | {state: 'found'; version: string; path?: string}
  | {state: 'missing'; hint: string}
  | {state: 'error'; message: string}

export type EngineProbe =
  | {state: 'running'; engine: 'docker' | 'podman'; version: string; operatingSystem: string}
  | {state: 'unreachable'; engine: 'docker' | 'podman'; message: string; host?: string}
  | {state: 'missing'; hint: string}

export type ComposeProbe =
  | {
      state: 'found'
      variant: 'docker compose' | 'docker-compose' | 'podman compose'
      version: string
    }
  | {state: 'missing'; hint: string}

export interface PortHolder {
  pid?: number
  command?: string
  /** e.g. "docker-proxy for 172.18.0.2:5432" */
  description: string
}

export interface PortProbe {
  target: ForwardTarget
  /** Addresses among 127.0.0.1, 0.0.0.0 and ::1 where the port cannot be bound. */
  takenOn: string[]
  holder?: PortHolder
}

export const MIN_HELM3 = '3.14.0'
export const MIN_HELM4 = '4.0.0'
export const MIN_NODE = '20.19.0'

export function checkEngine(probe: EngineProbe): CheckResult {
  const base = {id: 'engine', title: 'Container engine'}
  switch (probe.state) {
    case 'running': {
      const desktop = /docker desktop/i.test(probe.operatingSystem)
      const kind =
        probe.engine === 'podman' ? 'Podman' : desktop ? 'Docker Desktop' : 'Docker Engine (Linux)'
      return {
        ...base,
        status: 'pass',
        message: `${kind} ${probe.version} is running (${probe.operatingSystem})`,
        details: {engine: probe.engine, desktop, version: probe.version, os: probe.operatingSystem},
      }
    }
    case 'unreachable':
      return {
        ...base,
        status: 'fail',
        message: `${probe.engine} is installed but its engine is not reachable${probe.host ? ` at ${probe.host}` : ''}: ${probe.message}`,
        fix:
          probe.engine === 'podman'
            ? 'start it: `podman machine start` (macOS/Windows) or `systemctl --user start podman.socket`'
            : 'start it: `sudo systemctl start docker`, or open Docker Desktop; check DOCKER_HOST and your docker context',
        details: {engine: probe.engine, host: probe.host ?? null},
      }
    case 'missing':
      return {
        ...base,
        status: 'fail',
        message: 'neither docker nor podman was found',
        fix: probe.hint,
      }
  }
}

export function checkCompose(probe: ComposeProbe): CheckResult {
  const base = {id: 'compose', title: 'Compose v2'}
  if (probe.state === 'missing') {
    return {...base, status: 'fail', message: 'no Compose v2 was found', fix: probe.hint}
  }
  const version = parseVersion(probe.version)
  if (!version || version.major < 2) {
    return {
      ...base,
      status: 'fail',
      message: `${probe.variant} ${probe.version} is Compose v1, which is end of life`,
      fix: 'install the Compose v2 plugin and use `docker compose`: https://docs.docker.com/compose/install/',
    }
  }
  return {
    ...base,
    status: 'pass',
    message: `${probe.variant} ${version.raw}`,
    details: {variant: probe.variant, version: version.raw},
  }
}

export function checkClusterProviders(
  kind: ToolProbe,
  minikube: ToolProbe,
  provider?: 'kind' | 'minikube',
): CheckResult {
  const base = {id: 'cluster-provider', title: 'kind / minikube'}
  const details = {kind: probeVersion(kind), minikube: probeVersion(minikube)}
  const found = (['kind', 'minikube'] as const).filter(
    (name) => (name === 'kind' ? kind : minikube).state === 'found',
  )
  const describe = (name: 'kind' | 'minikube', probe: ToolProbe) =>
    probe.state === 'found'
      ? `${name} ${probe.version}`
      : probe.state === 'missing'
        ? `${name} not found`
        : `${name} failed: ${probe.message}`
  const message = `${describe('kind', kind)}; ${describe('minikube', minikube)}`
  if (provider) {
    const probe = provider === 'kind' ? kind : minikube
    if (probe.state !== 'found') {
      return {
        ...base,
        status: 'fail',
        message: `--provider ${provider} was chosen, but ${message}`,
        fix: probe.state === 'missing' ? probe.hint : `check that \`${provider} version\` runs`,
        details,
      }
    }
    return {...base, status: 'pass', message, details}
  }
  if (found.length === 0) {
    const hint = kind.state === 'missing' ? kind.hint : 'install kind or minikube'
    return {...base, status: 'fail', message, fix: hint, details}
  }
  return {...base, status: 'pass', message, details}
}

export function checkHelm(probe: ToolProbe, today: Date): CheckResult {
  const base = {id: 'helm', title: 'Helm'}
  const version = usableVersion(base, 'helm', probe)
  if (!('major' in version)) return version
  const details = {version: version.raw, major: version.major}
  if (version.major >= 4) {
    return versionAtLeast(version, MIN_HELM4)
      ? {...base, status: 'pass', message: `Helm ${version.raw} (Helm 4)`, details}
      : {
          ...base,
          status: 'fail',
          message: `Helm ${version.raw} is a pre-release`,
          fix: upgradeHelm,
          details,
        }
  }
  if (version.major === 3) {
    if (!versionAtLeast(version, MIN_HELM3)) {
      return {
        ...base,
        status: 'fail',
        message: `Helm ${version.raw} is older than the supported ${MIN_HELM3}`,
        fix: upgradeHelm,
        details,
      }
    }
    const ended = today >= HELM3_SECURITY_END
    return {
      ...base,
      status: 'warn',
      message: `Helm ${version.raw} (Helm 3) works, but its security support ${ended ? 'ended' : 'ends'} in November 2026`,
      fix: upgradeHelm,
      details,
    }
  }
  return {
    ...base,
    status: 'fail',
    message: `Helm ${version.raw} is not supported`,
    fix: upgradeHelm,
    details,
  }
}

const HELM3_SECURITY_END = new Date('2026-11-01T00:00:00Z')
const upgradeHelm = 'install Helm 4: https://helm.sh/docs/intro/install/'

export function checkKubectl(probe: ToolProbe, targetKubernetes: Version): CheckResult {
  const base = {id: 'kubectl', title: 'kubectl'}
  const version = usableVersion(base, 'kubectl', probe)
  if (!('major' in version)) return version
  const skew = kubectlSkew(version, targetKubernetes)
  const target = `${targetKubernetes.major}.${targetKubernetes.minor}`
  const details = {
    version: version.raw,
    targetKubernetes: target,
    skew: Number.isFinite(skew) ? skew : null,
  }
  if (Math.abs(skew) <= 1) {
    return {
      ...base,
      status: 'pass',
      message: `kubectl ${version.raw}, within ±1 minor of Kubernetes ${target}`,
      details,
    }
  }
  return {
    ...base,
    status: 'warn',
    message: `kubectl ${version.raw} is ${Number.isFinite(skew) ? `${Math.abs(skew)} minor versions` : 'a major version'} ${skew > 0 ? 'ahead of' : 'behind'} Kubernetes ${target}; kubectl supports ±1`,
    fix: `install kubectl ${target}.x, or pass --k8s-version to match your kubectl`,
    details,
  }
}

export function checkNode(nodeVersion: string): CheckResult {
  const base = {id: 'node', title: 'Node.js'}
  const version = parseVersion(nodeVersion)
  if (!version || !versionAtLeast(version, MIN_NODE)) {
    return {
      ...base,
      status: 'fail',
      message: `Node.js ${nodeVersion} is older than the required ${MIN_NODE}`,
      fix: 'install Node.js 22 or 24 (LTS)',
    }
  }
  const details = {version: version.raw}
  if (version.major === 20) {
    return {
      ...base,
      status: 'warn',
      message: `Node.js ${version.raw} works, but Node 20 reached end of life in April 2026`,
      fix: 'move to Node.js 22 or 24 (LTS)',
      details,
    }
  }
  return {...base, status: 'pass', message: `Node.js ${version.raw}`, details}
}

export function checkPorts(probes: PortProbe[]): CheckResult {
  const base = {id: 'ports', title: 'Offset forward ports'}
  const taken = probes.filter((probe) => probe.takenOn.length > 0)
  const details = {
    ports: probes.map((probe) => ({
      component: probe.target.component,
      port: probe.target.localPort,
      free: probe.takenOn.length === 0,
      takenOn: probe.takenOn,
      holder: probe.holder ?? null,
    })),
  }
  if (taken.length === 0) {
    return {...base, status: 'pass', message: `all ${probes.length} offset ports are free`, details}
  }
  const list = taken
    .map(
      (probe) =>
        `${probe.target.localPort} (${probe.target.component}) held by ${probe.holder?.description ?? 'an unknown process'}`,
    )
    .join('; ')
  return {
    ...base,
    status: 'warn',
    message: `${taken.length} of ${probes.length} offset ports are taken: ${list}`,
    fix: 'stop what holds them, or let `geniro-dev forward --next-free` choose other ports',
    details,
  }
}

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

export function summarize(checks: CheckResult[]): DoctorReport {
  const summary = {pass: 0, warn: 0, fail: 0}
  for (const check of checks) summary[check.status]++
  return {ok: summary.fail === 0, summary, checks}
}

/** The tool's parsed version, or the failing check that explains why there is none. */
function usableVersion(
  base: {id: string; title: string},
  tool: string,
  probe: ToolProbe,
): Version | CheckResult {
  const fail = (message: string, fix: string): CheckResult => ({
    ...base,
    status: 'fail',
    message,
    fix,
  })
  const rerun = `check that \`${tool} version\` runs`
  if (probe.state === 'missing') return fail(`${tool} not found on PATH`, probe.hint)
  if (probe.state === 'error') return fail(`${tool} is on PATH but failed: ${probe.message}`, rerun)
  return (
    parseVersion(probe.version) ??
    fail(`could not read ${tool}'s version from "${probe.version}"`, rerun)
  )
}

function probeVersion(probe: ToolProbe): string | null {
  return probe.state === 'found' ? (parseVersion(probe.version)?.raw ?? probe.version) : null
}
