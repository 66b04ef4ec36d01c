import {kubectlSkew} from './kubernetes.js'
import type {OffsetPort} from './port-table.js'
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
  forward: OffsetPort
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
      component: probe.forward.component,
      port: probe.forward.localPort,
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
        `${probe.forward.localPort} (${probe.forward.component}) held by ${probe.holder?.description ?? 'an unknown process'}`,
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
