/**
 * The chart suite's seam to the REAL Helm binaries of the toolchain (never a fake): renders,
 * expected render failures and `helm lint --strict`, plus typed walkers over what they render.
 *
 * Renders are cached per argument set for the life of the test file's process (the policy and
 * render suites ask for the same render many times) and at most a few helm processes run at once.
 */
import {execFile} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parse, parseAllDocuments} from 'yaml'
import {requireTool, TOOLS} from './toolchain.js'

/** The chart under test. GENIRO_CHART_DIR points the suite at a scratch copy when debugging. */
export const CHART_DIR =
  process.env.GENIRO_CHART_DIR ?? fileURLToPath(new URL('../../helm/geniro', import.meta.url))

/** The Helm binaries every chart change is checked with (README, "The test toolchain"). */
export const HELMS = {
  helm4: {label: 'Helm 4.1.4', version: 'v4.1.4', binary: TOOLS.helm4},
  helm3: {label: 'Helm 3.17.2', version: 'v3.17.2', binary: TOOLS.helm3},
  helm318: {label: 'Helm 3.18.0', version: 'v3.18.0', binary: TOOLS.helm318},
} as const

export type HelmName = keyof typeof HELMS
export const HELM_NAMES = Object.keys(HELMS) as HelmName[]

/** Renders target this Kubernetes version unless a test asks for another one. */
export const DEFAULT_KUBE_VERSION = '1.32.0'

// ---------------------------------------------------------------- Kubernetes object shapes

export interface ObjectMeta {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  [key: string]: unknown
}

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [key: string]: unknown
}

export interface EnvVar {
  name: string
  value?: string
  valueFrom?: {
    secretKeyRef?: {name: string; key: string; optional?: boolean}
    configMapKeyRef?: {name: string; key: string; optional?: boolean}
    [key: string]: unknown
  }
}

export interface EnvFromSource {
  configMapRef?: {name: string}
  secretRef?: {name: string}
  prefix?: string
}

export interface SecurityContext {
  runAsNonRoot?: boolean
  runAsUser?: number
  runAsGroup?: number
  privileged?: boolean
  allowPrivilegeEscalation?: boolean
  readOnlyRootFilesystem?: boolean
  capabilities?: {add?: string[]; drop?: string[]}
  seccompProfile?: {type: string; localhostProfile?: string}
  [key: string]: unknown
}

export interface Probe {
  [key: string]: unknown
}

export interface Container {
  name: string
  image?: string
  command?: string[]
  args?: string[]
  env?: EnvVar[]
  envFrom?: EnvFromSource[]
  ports?: Array<{name?: string; containerPort: number; hostPort?: number; protocol?: string}>
  resources?: {
    requests?: Record<string, string | number>
    limits?: Record<string, string | number>
  }
  securityContext?: SecurityContext
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  volumeMounts?: Array<{name: string; mountPath: string; readOnly?: boolean}>
  [key: string]: unknown
}

export interface Volume {
  name: string
  configMap?: {name: string}
  secret?: {secretName: string}
  projected?: {sources?: Array<{configMap?: {name: string}; secret?: {name: string}}>}
  hostPath?: {path: string; type?: string}
  emptyDir?: unknown
  persistentVolumeClaim?: {claimName: string}
  [key: string]: unknown
}

export interface PodSpec {
  containers: Container[]
  initContainers?: Container[]
  volumes?: Volume[]
  securityContext?: SecurityContext & {fsGroup?: number}
  serviceAccountName?: string
  automountServiceAccountToken?: boolean
  terminationGracePeriodSeconds?: number
  hostNetwork?: boolean
  hostPID?: boolean
  hostIPC?: boolean
  [key: string]: unknown
}

/** The pod of a workload: its template (or, for a bare Pod, the Pod itself). */
export interface PodTemplate {
  workload: K8sObject
  /** The pod template's metadata (a bare Pod's own metadata). */
  metadata: Partial<ObjectMeta>
  spec: PodSpec
  /** false for a bare Pod (e.g. a `helm test` pod): nothing rolls it. */
  templated: boolean
}

export interface ContainerInPod {
  pod: PodTemplate
  container: Container
  init: boolean
}

/** Kinds whose pods run until they are replaced. */
export const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet'])
export const WORKLOAD_KINDS = new Set([...LONG_RUNNING_KINDS, 'Job', 'CronJob', 'Pod'])

const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
])

export function isNamespaced(obj: K8sObject): boolean {
  return !CLUSTER_SCOPED_KINDS.has(obj.kind)
}

/** `Kind/name`, for messages. */
export function idOf(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata?.name ?? '?'}`
}

export function componentOf(obj: {metadata?: Partial<ObjectMeta>}): string | undefined {
  return obj.metadata?.labels?.['app.kubernetes.io/component']
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** The pod of a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; undefined otherwise. */
export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  const spec = asRecord(obj.spec)
  if (!spec) return undefined
  let template: Record<string, unknown> | undefined
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      template = asRecord(spec.template)
      break
    case 'CronJob':
      template = asRecord(asRecord(asRecord(spec.jobTemplate)?.spec)?.template)
      break
    case 'Pod':
      return {workload: obj, metadata: obj.metadata, spec: spec as PodSpec, templated: false}
    default:
      return undefined
  }
  if (!template) return undefined
  return {
    workload: obj,
    metadata: (asRecord(template.metadata) ?? {}) as Partial<ObjectMeta>,
    spec: (asRecord(template.spec) ?? {containers: []}) as PodSpec,
    templated: true,
  }
}

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((obj) => podTemplateOf(obj) ?? [])
}

/** Every container of a pod: init containers first, then the main ones. */
export function containersOfPod(pod: PodTemplate): ContainerInPod[] {
  return [
    ...(pod.spec.initContainers ?? []).map((container) => ({pod, container, init: true})),
    ...(pod.spec.containers ?? []).map((container) => ({pod, container, init: false})),
  ]
}

/** Every container (init containers included) of every workload among `objects`. */
export function allContainers(objects: K8sObject[]): ContainerInPod[] {
  return podTemplates(objects).flatMap(containersOfPod)
}

/** `Kind/name container` (with `init` for init containers), for messages. */
export function containerId({pod, container, init}: ContainerInPod): string {
  return `${idOf(pod.workload)} ${init ? 'init container' : 'container'} ${container.name}`
}

/** The one object of a kind and name, or undefined. */
export function findObject(
  objects: K8sObject[],
  kind: string,
  name: string,
): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name)
}

/** The long-running workloads (Deployment, StatefulSet, DaemonSet) of a component. */
export function workloadsOf(objects: K8sObject[], component: string): K8sObject[] {
  return objects.filter((o) => LONG_RUNNING_KINDS.has(o.kind) && componentOf(o) === component)
}

/** A container's env entries by name. */
export function envByName(container: Container): Map<string, EnvVar> {
  return new Map((container.env ?? []).map((e) => [e.name, e]))
}

/** The data of a rendered ConfigMap; throws when the render has none of that name. */
export function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  const configMap = findObject(objects, 'ConfigMap', name)
  if (!configMap) throw new Error(`ConfigMap ${name} is not rendered`)
  return (configMap.data ?? {}) as Record<string, string>
}

/**
 * A container's settings as its process sees them: the ConfigMaps it loads (envFrom, with
 * their prefix) overlaid by its literal env; Secret-backed variables are left out.
 */
export function containerSettings(
  objects: K8sObject[],
  container: Container,
): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const from of container.envFrom ?? []) {
    if (!from.configMapRef) continue
    for (const [key, value] of Object.entries(configMapData(objects, from.configMapRef.name)))
      settings[`${from.prefix ?? ''}${key}`] = value
  }
  for (const env of container.env ?? []) {
    if (env.value !== undefined) settings[env.name] = env.value
    else delete settings[env.name]
  }
  return settings
}

/** The Secret key behind a container's variable, if it comes from one. */
export function secretRefOf(container: Container, name: string) {
  return envByName(container).get(name)?.valueFrom?.secretKeyRef
}

/** Every string in a value (object keys excluded), with its JSON-pointer-like path. */
export function stringLeaves(value: unknown, at = ''): Array<{path: string; value: string}> {
  if (typeof value === 'string') return [{path: at || '/', value}]
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, `${at}/${i}`))
  const record = asRecord(value)
  if (!record) return []
  return Object.entries(record).flatMap(([key, child]) => stringLeaves(child, `${at}/${key}`))
}

// ---------------------------------------------------------------- Running helm

interface HelmRun {
  code: number
  stdout: string
  stderr: string
}

const POOL_SIZE = Math.min(4, Math.max(2, availableParallelism()))
let running = 0
const waiting: Array<() => void> = []

async function withSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= POOL_SIZE) await new Promise<void>((resolve) => waiting.push(resolve))
  else running++
  try {
    return await task()
  } finally {
    // A finished task hands its slot straight to the next waiting one.
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

/**
 * Helm's homes for the suite: shared, outside the repo and the user's own Helm setup. Nothing
 * here writes to them (template and lint need no repositories), so nothing is left to clean.
 */
const HELM_HOME = path.join(tmpdir(), 'geniro-chart-test-helm-home')

/** Runs a helm binary (no shell) in a clean Helm home; resolves with its exit code. */
export function runHelm(helm: HelmName, args: string[]): Promise<HelmRun> {
  const binary = requireTool(HELMS[helm].binary)
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(HELM_HOME, 'cache'),
    HELM_CONFIG_HOME: path.join(HELM_HOME, 'config'),
    HELM_DATA_HOME: path.join(HELM_HOME, 'data'),
    // Nothing here may reach a cluster.
    KUBECONFIG: path.join(HELM_HOME, 'no-kubeconfig'),
    NO_COLOR: '1',
  }
  return withSlot(
    () =>
      new Promise<HelmRun>((resolve, reject) => {
        execFile(
          binary,
          args,
          {env, maxBuffer: 64 * 1024 * 1024, timeout: 60_000},
          (error, stdout, stderr) => {
            if (error && typeof error.code !== 'number') {
              reject(new Error(`${binary} ${args.join(' ')}: ${error.message}`))
              return
            }
            resolve({code: error ? Number(error.code) : 0, stdout, stderr})
          },
        )
      }),
  )
}

export interface RenderOptions {
  /** Which Helm binary (default Helm 4.1.4). */
  helm?: HelmName
  release?: string
  namespace?: string
  /** Values files, relative to the chart directory (`ci/bridge-values.yaml`) or absolute. */
  valuesFiles?: string[]
  /** Values given inline, applied after `valuesFiles` (as `--set-json`, one per top-level key). */
  values?: Record<string, unknown>
  set?: Record<string, string>
  setString?: Record<string, string>
  kubeVersion?: string
  /** Also render NOTES.txt (through Helm 4's `install --dry-run=client`). */
  notes?: boolean
}

export interface RenderedDocument {
  object: K8sObject
  /** The template it came from (helm's `# Source:` comment). */
  source?: string
}

export interface Render {
  objects: K8sObject[]
  documents: RenderedDocument[]
  /** Documents that hold nothing (a bare `---`, or only comments), which helm left in `raw`. */
  emptyDocuments: Array<{index: number; source?: string}>
  notes?: string
  /** helm's stdout, exactly. */
  raw: string
  /** The command line, for messages. */
  command: string
}

function withDefaults(options: RenderOptions) {
  return {
    helm: options.helm ?? 'helm4',
    release: options.release ?? 'geniro',
    namespace: options.namespace ?? 'default',
    valuesFiles: options.valuesFiles ?? [],
    values: options.values,
    set: options.set ?? {},
    setString: options.setString ?? {},
    kubeVersion: options.kubeVersion ?? DEFAULT_KUBE_VERSION,
    notes: options.notes ?? false,
  } as const
}

export function chartPath(file: string): string {
  return path.isAbsolute(file) ? file : path.join(CHART_DIR, file)
}

/** The arguments shared by `helm template` and `helm install --dry-run`. */
function valueArgs(o: ReturnType<typeof withDefaults>): string[] {
  const args: string[] = []
  for (const file of o.valuesFiles) args.push('-f', chartPath(file))
  // Inline values go in as one --set-json per top-level key: maps merge into the chart's
  // values exactly as a values file's would, and no file has to be written and cleaned up.
  for (const [key, value] of Object.entries(o.values ?? {}))
    args.push('--set-json', `${key}=${JSON.stringify(value)}`)
  for (const [key, value] of Object.entries(o.set)) args.push('--set', `${key}=${value}`)
  for (const [key, value] of Object.entries(o.setString))
    args.push('--set-string', `${key}=${value}`)
  return args
}

function templateArgs(o: ReturnType<typeof withDefaults>): string[] {
  return [
    'template',
    o.release,
    CHART_DIR,
    '--namespace',
    o.namespace,
    '--kube-version',
    o.kubeVersion,
    ...valueArgs(o),
  ]
}

function describeCommand(helm: HelmName, args: string[]): string {
  return `${HELMS[helm].label}: helm ${args.map((a) => a.replace(`${CHART_DIR}/`, '')).join(' ')}`
}

/** Splits helm's output into objects; empty documents are counted, not returned. */
export function parseRender(raw: string, command = 'render'): Omit<Render, 'notes'> {
  const documents: RenderedDocument[] = []
  const emptyDocuments: Render['emptyDocuments'] = []
  // helm writes `# Source: <template>` before the first document of each template only, and
  // the parser drops the comments of empty documents: read it from the document's own text.
  let source: string | undefined
  parseAllDocuments(raw).forEach((doc, index) => {
    const text = raw.slice(doc.range[0], doc.range[2])
    source = /^# Source: (\S+)/m.exec(text)?.[1] ?? source
    if (doc.errors.length > 0) {
      const where = source ?? `document ${index}`
      throw new Error(`${command}: invalid YAML in ${where}: ${doc.errors[0]?.message}`)
    }
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) {
      emptyDocuments.push(source === undefined ? {index} : {index, source})
      return
    }
    const object = value as K8sObject
    documents.push(source === undefined ? {object} : {object, source})
  })
  return {objects: documents.map((d) => d.object), documents, emptyDocuments, raw, command}
}

const renders = new Map<string, Promise<Render>>()

/** `helm template` with the real binary; cached per argument set. Throws on a failed render. */
export function renderChart(options: RenderOptions = {}): Promise<Render> {
  const o = withDefaults(options)
  const key = JSON.stringify(o)
  let render = renders.get(key)
  if (!render) {
    render = (async () => {
      const args = templateArgs(o)
      const command = describeCommand(o.helm, args)
      const run = await runHelm(o.helm, args)
      if (run.code !== 0) throw new Error(`${command} failed (exit ${run.code}):\n${run.stderr}`)
      const parsed = parseRender(run.stdout, command)
      if (!o.notes) return parsed
      return {...parsed, notes: await renderNotes(o)}
    })()
    renders.set(key, render)
  }
  return render
}

/**
 * NOTES.txt as `helm install` prints it. `helm template` never renders NOTES, and Helm 3's
 * `install --dry-run=client` still wants a cluster, so this always uses Helm 4.
 */
async function renderNotes(o: ReturnType<typeof withDefaults>): Promise<string> {
  const args = [
    'install',
    o.release,
    CHART_DIR,
    '--namespace',
    o.namespace,
    '--dry-run=client',
    '--output',
    'json',
    ...valueArgs(o),
  ]
  const run = await runHelm('helm4', args)
  const command = describeCommand('helm4', args)
  if (run.code !== 0) throw new Error(`${command} failed (exit ${run.code}):\n${run.stderr}`)
  const release = JSON.parse(run.stdout) as {info?: {notes?: string}}
  return release.info?.notes ?? ''
}

const failures = new Map<string, Promise<string>>()

/** The stderr of a render that must fail; throws (with the render's objects) if it succeeds. */
export function renderFailure(options: RenderOptions = {}): Promise<string> {
  const o = withDefaults(options)
  const key = JSON.stringify(o)
  let failure = failures.get(key)
  if (!failure) {
    failure = (async () => {
      const args = templateArgs(o)
      const run = await runHelm(o.helm, args)
      if (run.code === 0) {
        const kinds = parseRender(run.stdout).objects.map(idOf).join(', ')
        throw new Error(`${describeCommand(o.helm, args)} succeeded, rendering: ${kinds}`)
      }
      return run.stderr
    })()
    failures.set(key, failure)
  }
  return failure
}

export interface LintResult {
  code: number
  /** stdout and stderr together, as a user sees them. */
  output: string
  command: string
}

const lints = new Map<string, Promise<LintResult>>()

/** `helm lint --strict` of the chart with one values file (or the defaults); cached. */
export function lintChart(options: {
  helm: HelmName
  valuesFile?: string
  kubeVersion?: string
}): Promise<LintResult> {
  const args = [
    'lint',
    '--strict',
    CHART_DIR,
    '--kube-version',
    options.kubeVersion ?? DEFAULT_KUBE_VERSION,
  ]
  if (options.valuesFile) args.push('-f', chartPath(options.valuesFile))
  const key = JSON.stringify([options.helm, args])
  let lint = lints.get(key)
  if (!lint) {
    lint = runHelm(options.helm, args).then((run) => ({
      code: run.code,
      output: run.stdout + run.stderr,
      command: describeCommand(options.helm, args),
    }))
    lints.set(key, lint)
  }
  return lint
}

/** `helm version` of a toolchain binary, e.g. `v4.1.4`. */
export async function helmVersion(helm: HelmName): Promise<string> {
  const run = await runHelm(helm, ['version', '--template', '{{.Version}}'])
  return run.stdout.trim()
}

// ---------------------------------------------------------------- The chart's own files

/** The values files the chart ships for CI and users, relative to the chart directory. */
export function chartValuesFiles(): string[] {
  return ['ci', 'examples'].flatMap((dir) =>
    readdirSync(path.join(CHART_DIR, dir))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => `${dir}/${name}`),
  )
}

export type Values = Record<string, unknown>

export function readYamlFile(file: string): unknown {
  return parse(readFileSync(chartPath(file), 'utf8'))
}

export function chartMetadata(): {
  name: string
  version: string
  appVersion: string
  annotations?: Record<string, string>
} {
  return readYamlFile('Chart.yaml') as ReturnType<typeof chartMetadata>
}

/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
export function mergeValues(base: Values, override: Values): Values {
  const result: Values = {...base}
  for (const [key, value] of Object.entries(override)) {
    const current = asRecord(result[key])
    const next = asRecord(value)
    if (value === null) delete result[key]
    else if (current && next) result[key] = mergeValues(current, next)
    else result[key] = value
  }
  return result
}

/** values.yaml with the given values files (and inline values) applied, as Helm does. */
export function effectiveValues(valuesFiles: string[] = [], inline?: Values): Values {
  let values = readYamlFile('values.yaml') as Values
  for (const file of valuesFiles) values = mergeValues(values, (readYamlFile(file) ?? {}) as Values)
  if (inline) values = mergeValues(values, inline)
  return values
}

/** The value at a dotted path (`api.ingress.tls`), or undefined. */
export function valueAt(values: unknown, dotted: string): unknown {
  let node: unknown = values
  for (const key of dotted.split('.')) node = asRecord(node)?.[key]
  return node
}

/** The chart's `<fullname>` for a release (mirrors `geniro.fullname`). */
export function fullnameFor(release: string, chartName = 'geniro'): string {
  return release.includes(chartName) ? release : `${release}-${chartName}`
}
