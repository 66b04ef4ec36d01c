/**
 * The application contract (helm/geniro/tests/app-contract.yaml) and the checker that holds a
 * render against it: what each pinned image reads, runs and serves, from its own source.
 * `contractViolations` is pure: it takes rendered objects and returns one line per breach.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {parse} from 'yaml'
import {
  CHART_DIR,
  componentOf,
  containersOfPod,
  containerSettings,
  type Container,
  type ContainerInPod,
  type K8sObject,
  podTemplateOf,
  type Probe,
} from './helm.js'

export interface ContractImage {
  registry: string
  repository: string
  tag: string
  provenance: string
  floating?: string
}

export interface ContractEnv {
  required?: boolean
  /** The app's own default, where a requiredWhen rule needs it. */
  default?: string
  requiredWhen?: Record<string, string[]>
  format?: 'url' | 'host' | 'port' | 'boolean' | 'integer' | 'enum' | 'origins' | 'jdbc-url'
  values?: string[]
  provenance: string
}

export interface ContractComponent {
  container: string
  source: string
  image: ContractImage
  command?: {argv: string[]; workingDir?: string; provenance: string}
  entrypoint?: {provenance: string}
  args?: {allowed: string[]; provenance: string}
  /** Other commands that run in this image (sidecars, init containers): argv prefixes. */
  otherCommands?: Array<{argv: string[]; provenance: string}>
  /** Families of variables the app reads by name pattern (e.g. provider keys). */
  envPatterns?: Array<{pattern: string; provenance: string}>
  ports: Array<{port: number; provenance: string}>
  probes: {
    httpGet?: Array<{path: string; port: number}>
    tcpSocket?: number[]
    exec?: string[]
    provenance: string
  }
  env: Record<string, ContractEnv>
}

export interface AppContract {
  components: Record<string, ContractComponent>
}

export function readContract(): AppContract {
  return parse(readFileSync(path.join(CHART_DIR, 'tests/app-contract.yaml'), 'utf8')) as AppContract
}

/** `repository` without the registry, whatever the render's registry override. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split('@')[0]!
  const lastColon = withoutDigest.lastIndexOf(':')
  const name =
    lastColon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, lastColon) : withoutDigest
  const parts = name.split('/')
  return parts.length > 2 || /[.:]/.test(parts[0]!) ? parts.slice(1).join('/') : name
}

/** The env of a container as the app sees it: env entries and the keys of envFrom ConfigMaps. */
/**
 * The env of a container as the app sees it: its literal settings (ConfigMaps through envFrom,
 * then env), plus each Secret-backed variable, present with a value unknown here.
 */
function containerEnv(objects: K8sObject[], container: Container): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>(
    Object.entries(containerSettings(objects, container)),
  )
  for (const entry of container.env ?? [])
    if (entry.value === undefined) env.set(entry.name, undefined)
  return env
}

/** Names used only as `$(NAME)` inside another variable, the command or the args of the same container. */
function expansionOnly(container: Container, name: string): boolean {
  const reference = `$(${name})`
  return (
    (container.env ?? []).some((e) => e.name !== name && e.value?.includes(reference)) ||
    [...(container.command ?? []), ...(container.args ?? [])].some((a) => a.includes(reference))
  )
}

const PLACEHOLDER = /\$\([A-Z_][A-Z0-9_]*\)/g

function formatError(value: string, spec: ContractEnv): string | undefined {
  const v = value.replace(PLACEHOLDER, 'x')
  switch (spec.format) {
    case 'url':
      try {
        const url = new URL(v)
        return url.host || url.protocol === 'file:' ? undefined : 'has no host'
      } catch {
        return 'is not a URL'
      }
    case 'host':
      return /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(v) ? undefined : 'is not a host name'
    case 'port':
      return /^\d+$/.test(v) && +v > 0 && +v < 65536 ? undefined : 'is not a port'
    case 'integer':
      return /^-?\d+$/.test(v) ? undefined : 'is not an integer'
    case 'boolean':
    case 'enum':
      return spec.values?.includes(v) ? undefined : `is not one of ${spec.values?.join(', ')}`
    case 'origins':
      return v === '*' || v.split(',').every((o) => /^https?:\/\/[^/\s]+$/.test(o))
        ? undefined
        : 'is not a comma-separated list of origins (scheme://host[:port])'
    case 'jdbc-url':
      return /^jdbc:postgresql:\/\/[^/]+\/\S+$/.test(v) ? undefined : 'is not a PostgreSQL JDBC URL'
    default:
      return undefined
  }
}

function startsWith(argv: string[] | undefined, prefix: string[]): boolean {
  return !!argv && prefix.every((part, i) => argv[i] === part)
}

function probeBreaches(id: string, kind: string, probe: Probe | undefined, c: ContractComponent) {
  if (!probe) return []
  const http = probe.httpGet as {path?: string; port?: number | string} | undefined
  const tcp = probe.tcpSocket as {port?: number | string} | undefined
  const exec = probe.exec as {command?: string[]} | undefined
  if (http) {
    const ok = c.probes.httpGet?.some((p) => p.path === http.path)
    return ok ? [] : [`${id}: ${kind} GET ${http.path} is not a health path of the app`]
  }
  if (tcp) return c.probes.tcpSocket ? [] : [`${id}: ${kind} is a TCP probe; the app has none`]
  if (exec) {
    const argv0 = exec.command?.[0] ?? ''
    return c.probes.exec?.includes(argv0)
      ? []
      : [`${id}: ${kind} runs ${argv0}, not a known health command`]
  }
  return []
}

/** Port number of a container port reference (name or number). */
function portNumber(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port
  return container.ports?.find((p) => p.name === port)?.containerPort
}

/**
 * Every breach of the contract among the rendered objects. extraEnvNames: the names users
 * added through each component's extraEnv (not the chart's to justify).
 */
export function contractViolations(
  objects: K8sObject[],
  contract: AppContract,
  extraEnvNames: (component: string) => Set<string> = () => new Set(),
): string[] {
  const breaches: string[] = []
  // Several components may run one image (postgresql and its init Job): each repository maps to all of them.
  const byRepository = new Map<string, Array<[string, ContractComponent]>>()
  for (const entry of Object.entries(contract.components)) {
    const owners = byRepository.get(entry[1].image.repository) ?? []
    byRepository.set(entry[1].image.repository, [...owners, entry])
  }
  for (const object of objects) {
    const pod = podTemplateOf(object)
    if (!pod) continue
    const component = componentOf(object) ?? '?'
    const spec = contract.components[component]
    for (const inPod of containersOfPod(pod)) {
      const {container} = inPod
      const id = `${object.kind}/${object.metadata.name} ${inPod.init ? 'init ' : ''}container ${container.name}`
      const owners = byRepository.get(repositoryOf(container.image ?? ''))
      if (owners) breaches.push(...commandBreaches(id, container, inPod, spec, owners))
      if (!spec || container.name !== spec.container || inPod.init) continue
      breaches.push(
        ...mainContainerBreaches(id, component, container, spec, objects, extraEnvNames),
      )
    }
    if (!spec && object.kind !== 'Job' && object.kind !== 'Pod') {
      breaches.push(
        `${object.kind}/${object.metadata.name}: component ${component} has no contract`,
      )
    }
  }
  return breaches
}

/**
 * A container running a contracted image runs only a command the contract names: its
 * component's main container exactly the contract's command (or the image's entrypoint with
 * known args), any other container one of the commands listed for that image.
 */
function commandBreaches(
  id: string,
  container: Container,
  inPod: ContainerInPod,
  spec: ContractComponent | undefined,
  owners: Array<[string, ContractComponent]>,
): string[] {
  const image = owners.map(([name]) => name).join('/')
  const main =
    !inPod.init && !!spec && owners.some(([, c]) => c === spec) && container.name === spec.container
  if (main && spec.command) {
    const same = JSON.stringify(container.command) === JSON.stringify(spec.command.argv)
    const dir = spec.command.workingDir
    return [
      ...(same
        ? []
        : [
            `${id}: command ${JSON.stringify(container.command)} is not the ${image} image's ${JSON.stringify(spec.command.argv)}`,
          ]),
      ...(dir && container.workingDir !== dir
        ? [`${id}: workingDir ${container.workingDir} is not ${dir}`]
        : []),
    ]
  }
  if (main && spec.entrypoint) {
    if (container.command)
      return [
        `${id}: overrides the ${image} image's entrypoint with ${JSON.stringify(container.command)}`,
      ]
    const unknown = (container.args ?? []).filter(
      (a) => spec.args && !spec.args.allowed.includes(a),
    )
    return unknown.length
      ? [`${id}: args ${unknown.join(' ')} are not options the image takes`]
      : []
  }
  const argv = container.command
  if (!argv) {
    return owners.some(([, c]) => c.entrypoint)
      ? []
      : [`${id}: runs the ${image} image's default command, which the contract does not list`]
  }
  const known = owners.flatMap(([, c]) => [
    c.command?.argv,
    ...(c.otherCommands ?? []).map((o) => o.argv),
  ])
  return known.some((prefix) => prefix && startsWith(argv, prefix))
    ? []
    : [
        `${id}: runs ${JSON.stringify(argv)} in the ${image} image, a command the contract does not list`,
      ]
}

function mainContainerBreaches(
  id: string,
  component: string,
  container: Container,
  spec: ContractComponent,
  objects: K8sObject[],
  extraEnvNames: (component: string) => Set<string>,
): string[] {
  const breaches: string[] = []
  const env = containerEnv(objects, container)
  const extra = extraEnvNames(component)
  for (const [name, value] of env) {
    const rule = spec.env[name]
    if (!rule) {
      const byPattern = spec.envPatterns?.some((p) => new RegExp(p.pattern).test(name))
      if (!byPattern && !extra.has(name) && !expansionOnly(container, name)) {
        breaches.push(`${id}: sets ${name}, which the app does not read`)
      }
      continue
    }
    const problem = value === undefined ? undefined : formatError(value, rule)
    if (problem) breaches.push(`${id}: ${name}=${JSON.stringify(value)} ${problem}`)
  }
  for (const [name, rule] of Object.entries(spec.env)) {
    const conditionsHold = (conditions: Record<string, string[]>) =>
      Object.entries(conditions).every(([other, values]) => {
        const actual = env.get(other) ?? spec.env[other]?.default
        return actual !== undefined && values.includes(actual)
      })
    const needed = rule.required || (rule.requiredWhen ? conditionsHold(rule.requiredWhen) : false)
    if (needed && !env.has(name))
      breaches.push(`${id}: does not set ${name}, which the app requires`)
  }
  const ports = (container.ports ?? []).map((p) => p.containerPort).sort()
  const expected = spec.ports.map((p) => p.port).sort()
  if (JSON.stringify(ports) !== JSON.stringify(expected)) {
    breaches.push(
      `${id}: container ports ${ports.join(',')} are not the app's ${expected.join(',')}`,
    )
  }
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const probe = container[kind]
    breaches.push(...probeBreaches(id, kind, probe, spec))
    const http = probe?.httpGet as {path?: string; port?: number | string} | undefined
    if (http) {
      const port = portNumber(container, http.port)
      const listed = spec.probes.httpGet?.find((p) => p.path === http.path)
      if (listed && port !== listed.port)
        breaches.push(
          `${id}: ${kind} probes port ${port}, the app serves ${http.path} on ${listed.port}`,
        )
    }
  }
  return breaches
}
