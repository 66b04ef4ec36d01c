/**
 * Policies every object of every render must meet: the defaults, every ci/ file and every
 * examples/ file (discovered, so a new file is covered without touching this test).
 */
import {parse} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'
import {validateK8sObject} from '../support/k8s-schema.js'
import {
  allContainers,
  chartMetadata,
  chartValuesFiles,
  componentOf,
  containerId,
  containersOfPod,
  effectiveValues,
  idOf,
  type K8sObject,
  LONG_RUNNING_KINDS,
  podTemplateOf,
  type PodTemplate,
  podTemplates,
  type Render,
  renderChart,
  stringLeaves,
  valueAt,
  type Values,
} from '../support/helm.js'

const RELEASE = 'geniro'
const FULLNAME = 'geniro'
const CHART = chartMetadata()

/**
 * The containers that may not run with a read-only root filesystem, keyed by component (the
 * pod's main container) with the reason. The test asserts the set of writable root
 * filesystems EQUALS this list, so it can neither grow silently nor go stale.
 */
const WRITABLE_ROOT_FILESYSTEM_ALLOWLIST: Record<string, string> = {
  litellm: 'prisma writes next to its install at start',
  'daytona-runner': 'Docker-in-Docker',
}

/** The one workload allowed to run privileged, and how it says so. */
const PRIVILEGED_COMPONENT = 'daytona-runner'
const PRIVILEGED_MARKER = 'geniro.dev/privileged'

const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/version',
  'helm.sh/chart',
]
const SELECTOR_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
]

const SENSITIVE_ENV_NAME = /PASSWORD|SECRET|API_KEY|MASTER_KEY|SALT|TOKEN/
const FLOATING_TAGS = new Set(['latest', 'main', 'stable', 'edge', 'main-stable'])
/** Volume types the restricted Pod Security Standard allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
])

interface Case {
  name: string
  valuesFiles: string[]
  values: Values
}

const CASES: Case[] = [
  {name: 'the default values', valuesFiles: [], values: effectiveValues()},
  ...chartValuesFiles().map((file) => ({
    name: file,
    valuesFiles: [file],
    values: effectiveValues([file]),
  })),
]

const renderOf = (c: Case) => renderChart({release: RELEASE, valuesFiles: c.valuesFiles})

beforeAll(async () => {
  // Warm the cache in parallel; a failed render fails its own tests, not this hook.
  await Promise.allSettled(CASES.map(renderOf))
})

// ---------------------------------------------------------------- helpers

const isMarkedPrivileged = (pod: PodTemplate) =>
  pod.metadata.labels?.[PRIVILEGED_MARKER] === 'true' ||
  pod.metadata.annotations?.[PRIVILEGED_MARKER] === 'true'

/** The ConfigMaps and Secrets a pod reads, by kind and name. */
function referencesOf(pod: PodTemplate): Array<{kind: 'ConfigMap' | 'Secret'; name: string}> {
  const refs: Array<{kind: 'ConfigMap' | 'Secret'; name: string}> = []
  for (const {container} of containersOfPod(pod)) {
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) refs.push({kind: 'ConfigMap', name: from.configMapRef.name})
      if (from.secretRef) refs.push({kind: 'Secret', name: from.secretRef.name})
    }
    for (const env of container.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef
      const secret = env.valueFrom?.secretKeyRef
      if (cm) refs.push({kind: 'ConfigMap', name: cm.name})
      if (secret) refs.push({kind: 'Secret', name: secret.name})
    }
  }
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.configMap) refs.push({kind: 'ConfigMap', name: volume.configMap.name})
    if (volume.secret) refs.push({kind: 'Secret', name: volume.secret.secretName})
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap) refs.push({kind: 'ConfigMap', name: source.configMap.name})
      if (source.secret) refs.push({kind: 'Secret', name: source.secret.name})
    }
  }
  return refs
}

/** Secret key references of every container: env valueFrom. */
function secretKeyRefs(objects: K8sObject[]) {
  return allContainers(objects).flatMap((c) =>
    (c.container.env ?? []).flatMap((env) => {
      const ref = env.valueFrom?.secretKeyRef
      return ref ? [{where: `${containerId(c)} env ${env.name}`, ...ref}] : []
    }),
  )
}

/** Every Secret name a pod reads (env, envFrom, volumes). */
function secretNamesRead(objects: K8sObject[]): Array<{where: string; name: string}> {
  return podTemplates(objects).flatMap((pod) =>
    referencesOf(pod)
      .filter((ref) => ref.kind === 'Secret')
      .map((ref) => ({where: idOf(pod.workload), name: ref.name})),
  )
}

/** The Secrets of external services the values point at (`external*.existingSecret`). */
function externalSecrets(values: Values): Set<string> {
  const names = new Set<string>()
  for (const [key, block] of Object.entries(values)) {
    if (!key.startsWith('external')) continue
    const name = valueAt(block, 'existingSecret')
    if (typeof name === 'string' && name) names.add(name)
  }
  return names
}

/** The Secret of the chart's sensitive values: existingSecret, or the generated one. */
function chartSecretName(values: Values): string {
  const existing = values.existingSecret
  return typeof existing === 'string' && existing ? existing : `${FULLNAME}-secrets`
}

function keysOf(obj: K8sObject): Set<string> {
  return new Set([
    ...Object.keys((obj.data ?? {}) as object),
    ...Object.keys((obj.stringData ?? {}) as object),
    ...Object.keys((obj.binaryData ?? {}) as object),
  ])
}

/** The `image:` blocks of a values tree, by dotted path. */
function imageBlocks(values: unknown, at = ''): Array<{path: string; block: Values}> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return []
  return Object.entries(values as Values).flatMap(([key, child]) => {
    const path = at ? `${at}.${key}` : key
    const record = child as Values
    if (key === 'image' && record && typeof record === 'object' && 'repository' in record) {
      return [{path, block: record}]
    }
    return imageBlocks(child, path)
  })
}

/** What `geniro.image` renders from an image block. */
function imageReference(block: Values, values: Values): string {
  const globalRegistry = valueAt(values, 'global.imageRegistry')
  const registry = (globalRegistry || block.registry || '') as string
  const repository = registry ? `${registry}/${String(block.repository)}` : String(block.repository)
  if (block.digest) return `${repository}@${String(block.digest)}`
  return `${repository}:${String(block.tag || CHART.appVersion)}`
}

/**
 * Images whose publisher ships no versioned tag, each named with the reason (the app contract,
 * helm/geniro/tests/app-contract.yaml, records the proof). Their moving tag is allowed, and
 * nothing else's: pin a digest (`image.digest`) for a reproducible install.
 */
const MOVING_TAG_EXCEPTIONS: Record<string, string> = {
  'docker.io/razumru/geniro-web:0.0.0-latest':
    'the web release workflow pushes only latest and 0.0.0-latest (geniro-io/geniro-web release.yaml:91-102)',
}

/** Whether an image reference is pinned to a version or digest. */
function imagePinProblem(image: string): string | undefined {
  if (MOVING_TAG_EXCEPTIONS[image]) return undefined
  const [name, digest] = image.split('@')
  if (digest !== undefined) {
    return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `bad digest ${digest}`
  }
  const lastSegment = name?.split('/').pop() ?? ''
  const colon = lastSegment.lastIndexOf(':')
  if (colon < 0) return 'no tag'
  const tag = lastSegment.slice(colon + 1)
  if (FLOATING_TAGS.has(tag)) return `floating tag ${tag}`
  if (!/\d/.test(tag)) return `tag ${tag} names no version`
  if (/^0\.0\.0-/.test(tag)) return `tag ${tag} is a placeholder version every release re-pushes`
  return undefined
}

/** What breaks the restricted Pod Security Standard in a pod (hostPath aside). */
function restrictedViolations(
  pod: PodTemplate,
  allowHostPath: (path: string) => boolean,
): string[] {
  const problems: string[] = []
  const spec = pod.spec
  const podContext = spec.securityContext ?? {}
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[flag]) problems.push(`${flag}: true`)
  }
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((k) => k !== 'name')
    for (const type of types) {
      if (type === 'hostPath' && volume.hostPath && allowHostPath(volume.hostPath.path)) continue
      if (!RESTRICTED_VOLUME_TYPES.has(type)) problems.push(`volume ${volume.name} is ${type}`)
    }
  }
  if (podContext.runAsUser === 0) problems.push('pod runAsUser 0')
  for (const {container, init} of containersOfPod(pod)) {
    const where = `${init ? 'init container' : 'container'} ${container.name}`
    const sc = container.securityContext ?? {}
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
      problems.push(`${where}: runAsNonRoot is not true`)
    if (sc.runAsUser === 0) problems.push(`${where}: runAsUser 0`)
    if (sc.privileged === true) problems.push(`${where}: privileged`)
    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation is not false`)
    if (!(sc.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${where}: capabilities.drop lacks ALL`)
    const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE')
    if (added.length > 0) problems.push(`${where}: adds capabilities ${added.join(', ')}`)
    const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${where}: seccompProfile ${seccomp ?? 'unset'}`)
    for (const port of container.ports ?? []) {
      if (port.hostPort) problems.push(`${where}: hostPort ${port.hostPort}`)
    }
  }
  return problems
}

/** The key of a container that has a writable root filesystem (see the allowlist). */
function writableRootKey(pod: PodTemplate, name: string, init: boolean): string {
  const component = componentOf(pod) ?? pod.workload.metadata.name
  return init ? `${component}/init:${name}` : component
}

function writableRootContainers(objects: K8sObject[]): Set<string> {
  return new Set(
    allContainers(objects)
      .filter((c) => c.container.securityContext?.readOnlyRootFilesystem !== true)
      .map((c) => writableRootKey(c.pod, c.container.name, c.init)),
  )
}

/** The values block of a component: `api` → values.api, `daytona-api` → values.daytona.api. */
function componentValues(values: Values, component: string): Values | undefined {
  const direct = values[component]
  if (direct && typeof direct === 'object') return direct as Values
  const nested = valueAt(values, component.replace(/-/g, '.'))
  return nested && typeof nested === 'object' ? (nested as Values) : undefined
}

/**
 * The version a component's resources carry: the tag of the image it runs (postgresql-init and
 * the headless Services take their component's, the helm test pod the tests image's), the
 * chart's appVersion for resources that run no image.
 */
function componentVersion(values: Values, component: string): string {
  const base = component.replace(/-(headless|init)$/, '')
  const image = componentValues(values, base === 'test' ? 'tests' : base)?.image as
    {tag?: string} | undefined
  return image ? image.tag || CHART.appVersion : CHART.appVersion
}

function matchesSelector(selector: Record<string, string>, labels: Record<string, string> = {}) {
  return Object.entries(selector).every(([key, value]) => labels[key] === value)
}

// ---------------------------------------------------------------- per render

for (const c of CASES) {
  describe(`rendered with ${c.name}`, () => {
    const load = (): Promise<Render> => renderOf(c)

    it('names every object after the release and gives it the standard labels', async () => {
      const {objects} = await load()
      const problems: string[] = []
      for (const obj of objects) {
        const {name, labels = {}} = obj.metadata
        if (name !== FULLNAME && !name.startsWith(`${FULLNAME}-`))
          problems.push(`${idOf(obj)}: name does not start with ${FULLNAME}`)
        for (const label of STANDARD_LABELS) {
          if (!labels[label]) problems.push(`${idOf(obj)}: no label ${label}`)
        }
        const expected = {
          'app.kubernetes.io/name': CHART.name,
          'app.kubernetes.io/instance': RELEASE,
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/version': componentVersion(c.values, componentOf(obj) ?? ''),
          'helm.sh/chart': `${CHART.name}-${CHART.version}`,
        }
        for (const [label, value] of Object.entries(expected)) {
          if (labels[label] && labels[label] !== value)
            problems.push(`${idOf(obj)}: ${label} is ${labels[label]}, not ${value}`)
        }
      }
      expect(problems).toEqual([])
    })

    it('selects each workload’s pods by exactly name, instance and component', async () => {
      const {objects} = await load()
      const problems: string[] = []
      for (const obj of objects.filter((o) => LONG_RUNNING_KINDS.has(o.kind))) {
        const matchLabels = valueAt(obj, 'spec.selector.matchLabels') as Record<string, string>
        const pod = podTemplateOf(obj)
        if (
          Object.keys(matchLabels ?? {})
            .sort()
            .join() !== [...SELECTOR_LABELS].sort().join()
        ) {
          problems.push(`${idOf(obj)}: matchLabels ${JSON.stringify(matchLabels)}`)
          continue
        }
        if (matchLabels['app.kubernetes.io/component'] !== componentOf(obj))
          problems.push(
            `${idOf(obj)}: selects component ${matchLabels['app.kubernetes.io/component']}`,
          )
        if (!matchesSelector(matchLabels, pod?.metadata.labels))
          problems.push(`${idOf(obj)}: pod template labels do not match its selector`)
      }
      expect(problems).toEqual([])
    })

    it('makes every Service select exactly name, instance and component of a workload', async () => {
      const {objects} = await load()
      const pods = podTemplates(objects).filter((p) => p.templated)
      const problems: string[] = []
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        const selector = (valueAt(svc, 'spec.selector') ?? {}) as Record<string, string>
        if (Object.keys(selector).sort().join() !== [...SELECTOR_LABELS].sort().join()) {
          problems.push(`${idOf(svc)}: selector ${JSON.stringify(selector)}`)
          continue
        }
        if (!pods.some((pod) => matchesSelector(selector, pod.metadata.labels)))
          problems.push(`${idOf(svc)}: selects no pod of this release`)
      }
      expect(problems).toEqual([])
    })

    it('probes liveness and readiness of every long-running container', async () => {
      const {objects} = await load()
      const missing = allContainers(objects.filter((o) => LONG_RUNNING_KINDS.has(o.kind)))
        .filter((c) => !c.init)
        .flatMap((c) => [
          ...(c.container.livenessProbe ? [] : [`${containerId(c)}: no livenessProbe`]),
          ...(c.container.readinessProbe ? [] : [`${containerId(c)}: no readinessProbe`]),
        ])
      expect(missing).toEqual([])
    })

    it('requests and limits cpu and memory for every container, init containers included', async () => {
      const {objects} = await load()
      const missing = allContainers(objects).flatMap((c) =>
        (['requests', 'limits'] as const).flatMap((kind) =>
          (['cpu', 'memory'] as const)
            .filter((resource) => c.container.resources?.[kind]?.[resource] === undefined)
            .map((resource) => `${containerId(c)}: no ${kind}.${resource}`),
        ),
      )
      expect(missing).toEqual([])
    })

    it('rolls every pod (checksum/* annotation) that reads a ConfigMap or Secret of the release', async () => {
      const {objects} = await load()
      const owned = new Set(
        objects
          .filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
          .map((o) => `${o.kind}/${o.metadata.name}`),
      )
      const problems: string[] = []
      for (const pod of podTemplates(objects).filter((p) => p.templated)) {
        const reads = referencesOf(pod).filter((ref) => owned.has(`${ref.kind}/${ref.name}`))
        if (reads.length === 0) continue
        const checksums = Object.entries(pod.metadata.annotations ?? {}).filter(([key]) =>
          key.startsWith('checksum/'),
        )
        if (checksums.length === 0) {
          const what = [...new Set(reads.map((r) => `${r.kind}/${r.name}`))].join(', ')
          problems.push(`${idOf(pod.workload)} reads ${what} but has no checksum/* annotation`)
        }
        for (const [key, value] of checksums) {
          if (!/^[a-f0-9]{64}$/.test(value))
            problems.push(`${idOf(pod.workload)}: ${key} is ${value}`)
        }
      }
      expect(problems).toEqual([])
    })

    it('runs every pod under the restricted Pod Security Standard, the Daytona runner alone excepted', async () => {
      const {objects} = await load()
      const dockerSocket = valueAt(c.values, 'api.dockerSocket') as Values
      const problems: string[] = []
      for (const pod of podTemplates(objects)) {
        const component = componentOf(pod)
        const marked = isMarkedPrivileged(pod)
        if (marked !== (component === PRIVILEGED_COMPONENT)) {
          problems.push(
            marked
              ? `${idOf(pod.workload)} (component ${component}) is marked ${PRIVILEGED_MARKER}; only ${PRIVILEGED_COMPONENT} may be`
              : `${idOf(pod.workload)} is the ${PRIVILEGED_COMPONENT} but lacks ${PRIVILEGED_MARKER}: "true"`,
          )
        }
        if (marked) continue
        const allowHostPath = (path: string) =>
          component === 'api' && dockerSocket?.enabled === true && path === dockerSocket.hostPath
        problems.push(
          ...restrictedViolations(pod, allowHostPath).map((p) => `${idOf(pod.workload)}: ${p}`),
        )
      }
      expect(problems).toEqual([])
    })

    it('mounts a hostPath only for the opted-in Docker socket of the API', async () => {
      const {objects} = await load()
      const hostPaths = podTemplates(objects).flatMap((pod) =>
        (pod.spec.volumes ?? [])
          .filter((v) => v.hostPath)
          .map((v) => ({
            component: componentOf(pod),
            path: v.hostPath?.path,
            type: v.hostPath?.type,
          })),
      )
      const dockerSocket = valueAt(c.values, 'api.dockerSocket') as Values
      const expected =
        dockerSocket?.enabled === true
          ? [{component: 'api', path: dockerSocket.hostPath, type: 'Socket'}]
          : []
      expect(hostPaths).toEqual(expected)
    })

    it('keeps every root filesystem read-only except the allowlisted containers', async () => {
      const {objects} = await load()
      const unexpected = [...writableRootContainers(objects)].filter(
        (key) => !(key in WRITABLE_ROOT_FILESYSTEM_ALLOWLIST),
      )
      expect(unexpected).toEqual([])
    })

    it('exposes no Service as a NodePort', async () => {
      const {objects} = await load()
      const nodePorts = objects
        .filter((o) => o.kind === 'Service')
        .filter(
          (svc) =>
            valueAt(svc, 'spec.type') === 'NodePort' ||
            ((valueAt(svc, 'spec.ports') ?? []) as Values[]).some((p) => 'nodePort' in p),
        )
      expect(nodePorts.map(idOf)).toEqual([])
    })

    it('pins every image to a version tag or a digest', async () => {
      const {objects} = await load()
      const problems = allContainers(objects).flatMap((c) => {
        const image = c.container.image
        const problem = image ? imagePinProblem(image) : 'no image'
        return problem ? [`${containerId(c)}: ${image} (${problem})`] : []
      })
      expect(problems).toEqual([])
    })

    it('uses only images built from the image blocks of the values', async () => {
      const {objects} = await load()
      const allowed = new Set(
        imageBlocks(c.values).map(({block}) => imageReference(block, c.values)),
      )
      const hardCoded = allContainers(objects)
        .filter((x) => !allowed.has(x.container.image ?? ''))
        .map((x) => `${containerId(x)}: ${x.container.image}`)
      expect(hardCoded).toEqual([])
    })

    it('keeps every sensitive value inside Secrets', async () => {
      const {objects} = await load()
      const secrets = stringLeaves(c.values.secrets).filter((s) => s.value.length >= 4)
      const problems: string[] = []
      for (const obj of objects.filter((o) => o.kind !== 'Secret')) {
        for (const leaf of stringLeaves(obj)) {
          for (const secret of secrets) {
            if (leaf.value.includes(secret.value))
              problems.push(
                `${idOf(obj)} ${leaf.path} holds secrets${secret.path.replace(/\//g, '.')}`,
              )
          }
        }
      }
      for (const x of allContainers(objects)) {
        for (const env of x.container.env ?? []) {
          if (SENSITIVE_ENV_NAME.test(env.name) && env.value !== undefined)
            problems.push(`${containerId(x)}: env ${env.name} has a literal value`)
        }
      }
      expect(problems).toEqual([])
    })

    it('reads secrets only from the chart Secret or configured existing Secrets, by keys they hold', async () => {
      const {objects} = await load()
      const allowed = new Set([chartSecretName(c.values), ...externalSecrets(c.values)])
      const problems = secretNamesRead(objects)
        .filter((ref) => !allowed.has(ref.name))
        .map((ref) => `${ref.where} reads Secret ${ref.name}`)
      const rendered = new Map(
        objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o]),
      )
      for (const ref of secretKeyRefs(objects)) {
        const secret = rendered.get(ref.name)
        if (secret && !keysOf(secret).has(ref.key))
          problems.push(`${ref.where}: Secret ${ref.name} has no key ${ref.key}`)
      }
      const configMaps = new Map(
        objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]),
      )
      for (const x of allContainers(objects)) {
        for (const env of x.container.env ?? []) {
          const ref = env.valueFrom?.configMapKeyRef
          const configMap = ref && configMaps.get(ref.name)
          if (ref && configMap && !keysOf(configMap).has(ref.key))
            problems.push(
              `${containerId(x)} env ${env.name}: ConfigMap ${ref.name} has no key ${ref.key}`,
            )
        }
      }
      expect(problems).toEqual([])
    })

    if (c.values.existingSecret) {
      it(`renders no Secret: ${String(c.values.existingSecret)} replaces the generated one`, async () => {
        const {objects} = await load()
        expect(objects.filter((o) => o.kind === 'Secret').map(idOf)).toEqual([])
      })
    }

    it('protects every workload that runs more than one pod with a PodDisruptionBudget', async () => {
      const {objects} = await load()
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget')
      const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')
      const problems: string[] = []
      for (const obj of objects.filter((o) => LONG_RUNNING_KINDS.has(o.kind))) {
        const hpa = hpas.find(
          (h) =>
            valueAt(h, 'spec.scaleTargetRef.kind') === obj.kind &&
            valueAt(h, 'spec.scaleTargetRef.name') === obj.metadata.name,
        )
        const replicas = Number(valueAt(obj, 'spec.replicas') ?? 1)
        const minReplicas = hpa ? Number(valueAt(hpa, 'spec.minReplicas') ?? 1) : 0
        if (replicas <= 1 && minReplicas <= 1) continue
        const labels = podTemplateOf(obj)?.metadata.labels
        const covered = pdbs.some((pdb) =>
          matchesSelector(
            (valueAt(pdb, 'spec.selector.matchLabels') ?? {}) as Record<string, string>,
            labels,
          ),
        )
        if (!covered)
          problems.push(`${idOf(obj)} runs ${Math.max(replicas, minReplicas)} pods without a PDB`)
      }
      for (const pdb of pdbs) {
        const selector = (valueAt(pdb, 'spec.selector.matchLabels') ?? {}) as Record<string, string>
        const selects = podTemplates(objects).some(
          (pod) =>
            Object.keys(selector).length > 0 && matchesSelector(selector, pod.metadata.labels),
        )
        if (!selects) problems.push(`${idOf(pdb)} selects no pod of this release`)
      }
      expect(problems).toEqual([])
    })

    it('sets terminationGracePeriodSeconds on every pod template', async () => {
      const {objects} = await load()
      const missing = podTemplates(objects)
        .filter(
          (pod) => pod.templated && typeof pod.spec.terminationGracePeriodSeconds !== 'number',
        )
        .map((pod) => idOf(pod.workload))
      expect(missing).toEqual([])
    })

    it('creates a ServiceAccount only when asked, and mounts no token into any pod', async () => {
      const {objects} = await load()
      const accounts = objects.filter((o) => o.kind === 'ServiceAccount')
      const create = valueAt(c.values, 'serviceAccount.create') === true
      const name = (valueAt(c.values, 'serviceAccount.name') as string) || FULLNAME
      expect(accounts.map(idOf)).toEqual(create ? [`ServiceAccount/${name}`] : [])
      const problems: string[] = []
      for (const pod of podTemplates(objects)) {
        if (pod.spec.automountServiceAccountToken !== false)
          problems.push(`${idOf(pod.workload)}: automountServiceAccountToken is not false`)
        if (create && pod.spec.serviceAccountName !== name)
          problems.push(
            `${idOf(pod.workload)}: runs as ${pod.spec.serviceAccountName ?? 'default'}`,
          )
      }
      for (const account of accounts) {
        if (account.automountServiceAccountToken !== false)
          problems.push(`${idOf(account)}: automountServiceAccountToken is not false`)
      }
      expect(problems).toEqual([])
    })

    it('grants no Kubernetes API role', async () => {
      const {objects} = await load()
      const rbac = objects.filter((o) =>
        ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind),
      )
      expect(rbac.map(idOf)).toEqual([])
    })

    it('serves TLS on every Ingress that enables it, for exactly its hosts', async () => {
      const {objects} = await load()
      const problems: string[] = []
      for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
        const component = componentOf(ingress) ?? ''
        const tlsValues = valueAt(componentValues(c.values, component), 'ingress.tls') as Values
        const tls = (valueAt(ingress, 'spec.tls') ?? []) as Array<{
          hosts?: string[]
          secretName?: string
        }>
        const ruleHosts = ((valueAt(ingress, 'spec.rules') ?? []) as Array<{host?: string}>)
          .map((rule) => rule.host ?? '')
          .sort()
        if (!tlsValues) {
          problems.push(`${idOf(ingress)}: no ${component}.ingress.tls in the values`)
          continue
        }
        if (tlsValues.enabled !== true) {
          if (tls.length > 0) problems.push(`${idOf(ingress)}: TLS block without tls.enabled`)
          continue
        }
        const tlsHosts = tls.flatMap((t) => t.hosts ?? []).sort()
        if (tlsHosts.join() !== ruleHosts.join())
          problems.push(
            `${idOf(ingress)}: TLS hosts ${tlsHosts.join()} ≠ rule hosts ${ruleHosts.join()}`,
          )
        for (const t of tls) {
          if (!t.secretName) problems.push(`${idOf(ingress)}: TLS entry without secretName`)
        }
        if (tls.length === 0) problems.push(`${idOf(ingress)}: tls.enabled but no spec.tls`)
        const wanted = tlsValues.secretName || `${FULLNAME}-${component}-tls`
        if (tls.length > 0 && tls.some((t) => t.secretName !== wanted))
          problems.push(`${idOf(ingress)}: TLS secretName is not ${String(wanted)}`)
      }
      expect(problems).toEqual([])
    })

    it('validates every object strictly against the Kubernetes schemas', async () => {
      const {objects} = await load()
      const invalid = objects.flatMap((obj) => {
        const result = validateK8sObject(obj)
        return result.ok ? [] : result.errors.map((error) => `${idOf(obj)} ${error}`)
      })
      expect(invalid).toEqual([])
    })
  })
}

// ---------------------------------------------------------------- across renders

describe('across every render', () => {
  it('the writable root filesystems are exactly the allowlist', async () => {
    const renders = await Promise.all(CASES.map(renderOf))
    const writable = new Set(renders.flatMap((r) => [...writableRootContainers(r.objects)]))
    expect([...writable].sort()).toEqual(Object.keys(WRITABLE_ROOT_FILESYSTEM_ALLOWLIST).sort())
  })

  it('the Daytona runner is the one privileged pod, and it is rendered and marked', async () => {
    const renders = await Promise.all(CASES.map(renderOf))
    const marked = renders.flatMap((r) =>
      podTemplates(r.objects)
        .filter(isMarkedPrivileged)
        .map((pod) => componentOf(pod)),
    )
    expect(new Set(marked)).toEqual(new Set([PRIVILEGED_COMPONENT]))
  })

  it('the Docker socket is mounted into the API with ci/docker-socket-values.yaml', async () => {
    const r = await renderChart({release: RELEASE, valuesFiles: ['ci/docker-socket-values.yaml']})
    const api = podTemplates(r.objects).find((pod) => componentOf(pod) === 'api')
    expect(api?.spec.volumes?.filter((v) => v.hostPath).map((v) => v.hostPath)).toEqual([
      {path: '/var/run/docker.sock', type: 'Socket'},
    ])
  })

  it('an existingSecret (ci/existing-secret-values.yaml) is where every secret reference points', async () => {
    const r = await renderChart({release: RELEASE, valuesFiles: ['ci/existing-secret-values.yaml']})
    expect(r.objects.filter((o) => o.kind === 'Secret').map(idOf)).toEqual([])
    const names = new Set(secretNamesRead(r.objects).map((ref) => ref.name))
    expect(names).toEqual(new Set(['geniro-prod-secrets']))
  })

  it('changing a secret value rolls every pod that reads the chart Secret', async () => {
    const [before, after] = await Promise.all([
      renderChart({release: RELEASE, valuesFiles: ['ci/test-values.yaml']}),
      renderChart({
        release: RELEASE,
        valuesFiles: ['ci/test-values.yaml'],
        set: {'secrets.redisPassword': 'CHANGE_ME_rotated'},
      }),
    ])
    const annotationsOf = (r: Render) =>
      new Map(
        podTemplates(r.objects)
          .filter((pod) => pod.templated)
          .map((pod) => [idOf(pod.workload), JSON.stringify(pod.metadata.annotations ?? {})]),
      )
    const afterAnnotations = annotationsOf(after)
    const readers = podTemplates(before.objects).filter(
      (pod) =>
        pod.templated &&
        referencesOf(pod).some(
          (ref) => ref.kind === 'Secret' && ref.name === `${FULLNAME}-secrets`,
        ),
    )
    expect(readers.length).toBeGreaterThan(0)
    const unchanged = readers
      .filter(
        (pod) =>
          afterAnnotations.get(idOf(pod.workload)) ===
          JSON.stringify(pod.metadata.annotations ?? {}),
      )
      .map((pod) => idOf(pod.workload))
    expect(unchanged).toEqual([])
  })

  it('changing the API’s configuration rolls the API pods', async () => {
    const [before, after] = await Promise.all([
      renderChart({release: RELEASE}),
      renderChart({release: RELEASE, set: {'api.config.logLevel': 'debug'}}),
    ])
    const apiAnnotations = (r: Render) =>
      podTemplates(r.objects).find((pod) => componentOf(pod) === 'api')?.metadata.annotations
    expect(apiAnnotations(after)).not.toEqual(apiAnnotations(before))
  })

  it('a mirror registry (global.imageRegistry) replaces the registry of every image', async () => {
    const r = await renderChart({
      release: RELEASE,
      valuesFiles: ['ci/test-values.yaml'],
      set: {'global.imageRegistry': 'mirror.example.com'},
    })
    const elsewhere = allContainers(r.objects)
      .filter((x) => !x.container.image?.startsWith('mirror.example.com/'))
      .map((x) => `${containerId(x)}: ${x.container.image}`)
    expect(elsewhere).toEqual([])
  })

  it('Chart.yaml’s artifacthub.io/images lists exactly the images of values.yaml', () => {
    const defaults = effectiveValues()
    const fromValues = imageBlocks(defaults).map(({block}) => imageReference(block, defaults))
    const annotation = CHART.annotations?.['artifacthub.io/images']
    expect(annotation, 'artifacthub.io/images annotation').toBeDefined()
    const listed = (parse(annotation ?? '') as Array<{name: string; image: string}>).map(
      (i) => i.image,
    )
    expect([...listed].sort()).toEqual([...new Set(fromValues)].sort())
    expect(listed.length, 'each image listed once').toBe(new Set(listed).size)
  })
})
