/**
 * What every component renders through one shared helper: annotations (release-wide merged
 * with a resource's own), placement and pod metadata (global.* defaults under a component's
 * own), probes from the probes values, and the claim templates of the data services.
 */
import {describe, expect, it} from 'vitest'
import {
  type Container,
  containersOfPod,
  effectiveValues,
  findObject,
  HELM_NAMES,
  HELMS,
  idOf,
  type K8sObject,
  podTemplateOf,
  podTemplates,
  renderChart,
  valueAt,
  workloadsOf,
} from '../support/helm.js'

// ---------------------------------------------------------------- annotations

const OWNER = 'example.com/owner'
const ANNOTATED = {
  commonAnnotations: {[OWNER]: 'platform', 'example.com/contact': 'ops@example.com'},
  api: {
    service: {annotations: {[OWNER]: 'api-service'}},
    ingress: {enabled: true, annotations: {[OWNER]: 'api-ingress'}},
  },
  web: {ingress: {enabled: true}},
}

/** How many times a key is written in each YAML document of helm's raw output. */
function keyCounts(raw: string, key: string): number[] {
  const line = new RegExp(`^\\s+${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:`, 'gm')
  return raw.split(/^---$/m).map((doc) => doc.match(line)?.length ?? 0)
}

for (const helm of HELM_NAMES) {
  describe(`annotations set release-wide and on a resource (${HELMS[helm].label})`, () => {
    it('appear once on that resource, with the resource’s own value', async () => {
      const r = await renderChart({helm, values: ANNOTATED})
      expect(Math.max(...keyCounts(r.raw, OWNER)), 'the most times one document names it').toBe(1)
      for (const [kind, value] of [
        ['Service', 'api-service'],
        ['Ingress', 'api-ingress'],
      ] as const) {
        const object = findObject(r.objects, kind, 'geniro-api')
        expect(object?.metadata.annotations, `${kind}/geniro-api`).toEqual({
          [OWNER]: value,
          'example.com/contact': 'ops@example.com',
        })
      }
    })

    it('leave every other resource with exactly the release-wide annotations', async () => {
      // mergeOverwrite writes into its first argument: a shared map would leak the API's value
      // into whatever renders after it.
      const r = await renderChart({helm, values: ANNOTATED})
      const others = r.objects.filter(
        (o) =>
          !(['Service', 'Ingress'].includes(o.kind) && o.metadata.name === 'geniro-api') &&
          o.kind !== 'Pod',
      )
      expect(others.length).toBeGreaterThan(10)
      for (const object of others)
        expect(object.metadata.annotations, idOf(object)).toEqual(ANNOTATED.commonAnnotations)
    })
  })
}

// ---------------------------------------------------------------- global.* pod defaults

const GLOBAL = {
  nodeSelector: {'example.com/pool': 'general'},
  tolerations: [{key: 'example.com/pool', operator: 'Exists', effect: 'NoSchedule'}],
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {weight: 1, preference: {matchExpressions: [{key: 'zone', operator: 'In', values: ['a']}]}},
      ],
    },
  },
  podLabels: {'example.com/team': 'platform', 'example.com/tier': 'shared'},
  podAnnotations: {'sidecar.istio.io/inject': 'false'},
}
const WITH_GLOBALS = {
  values: {
    // The runner keeps its privileged marker whatever the global labels say.
    global: {...GLOBAL, podLabels: {...GLOBAL.podLabels, 'geniro.dev/privileged': 'false'}},
    daytona: {enabled: true, runner: {nodeSelector: {'example.com/pool': 'daytona'}}},
    api: {podLabels: {'example.com/tier': 'api'}, podAnnotations: {'example.com/note': 'api'}},
  },
}

describe('global.* pod defaults', () => {
  it('place every pod, the database-init Job and the helm test pod included', async () => {
    const r = await renderChart(WITH_GLOBALS)
    const pods = podTemplates(r.objects)
    expect(pods.map((p) => p.workload.kind)).toEqual(expect.arrayContaining(['Job', 'Pod']))
    for (const pod of pods) {
      const where = idOf(pod.workload)
      expect(pod.spec.tolerations, where).toEqual(GLOBAL.tolerations)
      expect(pod.spec.affinity, where).toEqual(GLOBAL.affinity)
      if (pod.metadata.labels?.['app.kubernetes.io/component'] !== 'daytona-runner')
        expect(pod.spec.nodeSelector, where).toEqual(GLOBAL.nodeSelector)
    }
  })

  it('yield to a component’s own setting, which replaces the global one whole', async () => {
    const r = await renderChart(WITH_GLOBALS)
    const runner = podTemplateOf(workloadsOf(r.objects, 'daytona-runner')[0]!)!
    expect(runner.spec.nodeSelector).toEqual({'example.com/pool': 'daytona'})
    const api = podTemplateOf(workloadsOf(r.objects, 'api')[0]!)!
    expect(api.metadata.labels).toMatchObject({
      'example.com/team': 'platform',
      'example.com/tier': 'api',
    })
    expect(api.metadata.annotations).toMatchObject({
      'sidecar.istio.io/inject': 'false',
      'example.com/note': 'api',
    })
  })

  it('label and annotate every pod, never its selectors, and never unmark the runner', async () => {
    const r = await renderChart(WITH_GLOBALS)
    for (const pod of podTemplates(r.objects)) {
      const where = idOf(pod.workload)
      expect(pod.metadata.labels?.['example.com/team'], where).toBe('platform')
      expect(pod.metadata.annotations?.['sidecar.istio.io/inject'], where).toBe('false')
      const selector = (pod.workload.spec as {selector?: {matchLabels?: object}}).selector
      expect(selector?.matchLabels ?? {}, where).not.toHaveProperty('example.com/team')
    }
    const runner = podTemplateOf(workloadsOf(r.objects, 'daytona-runner')[0]!)!
    expect(runner.metadata.labels?.['geniro.dev/privileged']).toBe('true')
  })

  it('add nothing while empty (the defaults)', async () => {
    const r = await renderChart()
    for (const pod of podTemplates(r.objects)) {
      for (const field of ['nodeSelector', 'tolerations', 'affinity'])
        expect(pod.spec, idOf(pod.workload)).not.toHaveProperty(field)
    }
  })
})

// ---------------------------------------------------------------- probes

const PROBE_KINDS = ['startup', 'liveness', 'readiness'] as const
/** Components with a probes block, by the dotted path of their values. */
const PROBED = {
  api: 'api',
  web: 'web',
  litellm: 'litellm',
  keycloak: 'keycloak',
  postgresql: 'postgresql',
  redis: 'redis',
  qdrant: 'qdrant',
  'daytona-api': 'daytona.api',
  'daytona-runner': 'daytona.runner',
  'daytona-proxy': 'daytona.proxy',
}

function mainContainer(objects: K8sObject[], component: string): Container {
  const pod = podTemplateOf(workloadsOf(objects, component)[0]!)!
  return containersOfPod(pod).find((c) => !c.init && c.container.name === component)!.container
}

describe('probes', () => {
  const TUNED = {
    daytona: {enabled: true},
    api: {probes: {startup: {enabled: false}, liveness: {periodSeconds: 17}}},
    redis: {probes: {readiness: {enabled: false}}},
    keycloak: {probes: {readiness: {failureThreshold: 9}}},
  }

  it('follow each component’s probes values: enabled or not, and their timings', async () => {
    const r = await renderChart({values: TUNED})
    const values = effectiveValues([], TUNED)
    for (const [component, path] of Object.entries(PROBED)) {
      const container = mainContainer(r.objects, component)
      for (const kind of PROBE_KINDS) {
        const expected = valueAt(values, `${path}.probes.${kind}`) as
          {enabled: boolean; [timing: string]: unknown} | undefined
        const probe = container[`${kind}Probe`] as Record<string, unknown> | undefined
        const where = `${component} ${kind}Probe`
        if (!expected?.enabled) {
          expect(probe, where).toBeUndefined()
          continue
        }
        const timings = Object.fromEntries(
          Object.entries(expected).filter(([key]) => key !== 'enabled'),
        )
        expect(probe, where).toMatchObject(timings)
      }
    }
  })

  it('check readiness with its own handler where the component has one', async () => {
    const r = await renderChart()
    const keycloak = mainContainer(r.objects, 'keycloak')
    expect(keycloak.livenessProbe?.httpGet).toMatchObject({path: '/health/live'})
    expect(keycloak.startupProbe?.httpGet).toMatchObject({path: '/health/live'})
    expect(keycloak.readinessProbe?.httpGet).toMatchObject({path: '/health/ready'})
    const api = mainContainer(r.objects, 'api')
    for (const kind of PROBE_KINDS)
      expect(api[`${kind}Probe`], kind).toMatchObject({httpGet: {path: '/health/check'}})
  })
})

// ---------------------------------------------------------------- claim templates

const DATA_SERVICES = [
  {component: 'postgresql', volume: 'data', size: '8Gi'},
  {component: 'redis', volume: 'data', size: '2Gi'},
  {component: 'qdrant', volume: 'storage', size: '10Gi'},
]

interface ClaimTemplate {
  metadata: {name: string; labels?: Record<string, string>; annotations?: Record<string, string>}
  spec: {accessModes: string[]; storageClassName?: string; resources: {requests: {storage: string}}}
}

const claimsOf = (statefulSet: K8sObject) =>
  (statefulSet.spec as {volumeClaimTemplates?: ClaimTemplate[]}).volumeClaimTemplates

describe('the data services’ claim templates', () => {
  it('claim the persistence size, modes and class (own, else global; "-" for none)', async () => {
    const r = await renderChart({
      values: {
        global: {storageClass: 'fast'},
        postgresql: {persistence: {storageClass: '-', annotations: {keep: 'yes'}}},
        redis: {persistence: {storageClass: 'slow'}},
      },
    })
    const classes: Record<string, string> = {postgresql: '', redis: 'slow', qdrant: 'fast'}
    for (const {component, volume, size} of DATA_SERVICES) {
      const statefulSet = workloadsOf(r.objects, component)[0]!
      const claims = claimsOf(statefulSet)
      expect(claims, idOf(statefulSet)).toHaveLength(1)
      const [claim] = claims!
      expect(claim!.metadata.name).toBe(volume)
      expect(claim!.metadata.labels).toMatchObject({'app.kubernetes.io/component': component})
      expect(claim!.spec).toEqual({
        accessModes: ['ReadWriteOnce'],
        storageClassName: classes[component],
        resources: {requests: {storage: size}},
      })
    }
    const postgresql = claimsOf(workloadsOf(r.objects, 'postgresql')[0]!)![0]!
    expect(postgresql.metadata.annotations).toEqual({keep: 'yes'})
  })

  it('without persistence give way to an emptyDir of the same name', async () => {
    const off = {persistence: {enabled: false}}
    const r = await renderChart({values: {postgresql: off, redis: off, qdrant: off}})
    for (const {component, volume} of DATA_SERVICES) {
      const statefulSet = workloadsOf(r.objects, component)[0]!
      expect(claimsOf(statefulSet), idOf(statefulSet)).toBeUndefined()
      const volumes = podTemplateOf(statefulSet)!.spec.volumes ?? []
      expect(
        volumes.find((v) => v.name === volume),
        idOf(statefulSet),
      ).toEqual({
        name: volume,
        emptyDir: {},
      })
    }
  })
})
