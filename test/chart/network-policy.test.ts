/**
 * The NetworkPolicies open the ports the pods really listen on: they read the chart's one
 * table of container ports (geniro.containerPorts), the same the workloads listen on, so a
 * port moved in the values moves in the policies too, and a Service's port (which the Service
 * maps to the pod) never leaks into them.
 */
import {describe, expect, it} from 'vitest'
import {
  componentOf,
  containersOfPod,
  findObject,
  idOf,
  type K8sObject,
  podTemplateOf,
  type Render,
  renderChart,
  type RenderOptions,
  workloadsOf,
} from '../support/helm.js'

interface Peer {
  podSelector?: {matchLabels?: Record<string, string>}
  namespaceSelector?: unknown
  ipBlock?: unknown
}

interface Rule {
  from?: Peer[]
  to?: Peer[]
  ports?: Array<{port: number; protocol: string}>
}

interface PolicySpec {
  ingress?: Rule[]
  egress?: Rule[]
}

const POLICIES_ON = {networkPolicy: {enabled: true}}

/** Every port moved away from its default, Daytona on, and the flows it adds. */
const MOVED: RenderOptions = {
  values: {
    ...POLICIES_ON,
    api: {config: {defaultRuntimeType: 'Daytona'}, service: {port: 5001}},
    web: {service: {port: 8080}, ingress: {enabled: true}},
    litellm: {service: {port: 4001}},
    keycloak: {service: {port: 8081}},
    postgresql: {service: {port: 5433}},
    redis: {service: {port: 6380}},
    qdrant: {service: {port: 6335, grpcPort: 6336}},
    daytona: {
      enabled: true,
      api: {service: {port: 3999}},
      runner: {service: {port: 8082}},
      proxy: {service: {port: 8088, type: 'LoadBalancer'}},
    },
  },
}

const RENDERS: Array<{name: string; options: RenderOptions}> = [
  {name: 'the defaults', options: {values: POLICIES_ON}},
  {name: 'ci/test-values.yaml', options: {valuesFiles: ['ci/test-values.yaml']}},
  {name: 'every port moved', options: MOVED},
]

function policyOf(r: Render, component: string): PolicySpec {
  const policy = findObject(r.objects, 'NetworkPolicy', `geniro-allow-${component}`)
  expect(policy, `NetworkPolicy geniro-allow-${component}`).toBeDefined()
  return (policy?.spec ?? {}) as PolicySpec
}

const peerComponent = (peer: Peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component']

const portsOf = (rules: Rule[]) => [
  ...new Set(rules.flatMap((r) => r.ports ?? []).map((p) => p.port)),
]

/** The ports a component's policy admits from a peer (a pod, a namespace or an address). */
function ingressPorts(r: Render, component: string, from: (peer: Peer) => boolean): number[] {
  return portsOf((policyOf(r, component).ingress ?? []).filter((rule) => rule.from?.some(from)))
}

/** The ports a component's policy lets it reach on the pods of another component. */
function egressPorts(r: Render, component: string, to: string): number[] {
  const rules = (policyOf(r, component).egress ?? []).filter((rule) =>
    rule.to?.some((peer) => peerComponent(peer) === to),
  )
  return portsOf(rules)
}

/**
 * The container ports a component's pods serve through its Services: each Service port's
 * targetPort, resolved by name on the component's workload.
 */
function servedPorts(r: Render, component: string): number[] {
  const workload = workloadsOf(r.objects, component)[0]
  const pod = workload && podTemplateOf(workload)
  if (!pod) return []
  const named = new Map(
    containersOfPod(pod).flatMap(({container}) =>
      (container.ports ?? []).map((p) => [p.name, p.containerPort] as const),
    ),
  )
  const services = r.objects.filter((o) => o.kind === 'Service' && componentOf(o) === component)
  return [
    ...new Set(
      services.flatMap((service) =>
        ((service.spec as {ports?: Array<{targetPort: string | number}>}).ports ?? []).map(
          ({targetPort}) => (typeof targetPort === 'number' ? targetPort : named.get(targetPort)),
        ),
      ),
    ),
  ].filter((port): port is number => port !== undefined)
}

/** Components with a policy of their own (`geniro-allow-<component>`). */
function policedComponents(r: Render): string[] {
  return r.objects
    .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('geniro-allow-'))
    .map((o) => o.metadata.name.slice('geniro-allow-'.length))
    .filter((component) => component !== 'dns')
}

/** Those of them that others reach through a Service. */
function servedComponents(r: Render): string[] {
  return policedComponents(r).filter((component) =>
    r.objects.some((o) => o.kind === 'Service' && componentOf(o) === component),
  )
}

describe.each(RENDERS)('NetworkPolicies rendered with $name', ({options}) => {
  it('admit each component only on ports its pods serve, and let its clients reach it there', async () => {
    const r = await renderChart(options)
    const components = servedComponents(r)
    expect(components).toEqual(expect.arrayContaining(['api', 'postgresql', 'redis', 'qdrant']))
    const problems: string[] = []
    for (const component of components) {
      const served = servedPorts(r, component)
      // Rules between the component's own replicas (Keycloak's JGroups) carry no Service port.
      const admitted = ingressPorts(r, component, (peer) => peerComponent(peer) !== component)
      for (const port of admitted)
        if (!served.includes(port)) problems.push(`${component} admits ${port}, serves ${served}`)
      for (const client of policedComponents(r)) {
        for (const port of egressPorts(r, client, component))
          if (!admitted.includes(port))
            problems.push(`${client} may reach ${component} on ${port}, which admits ${admitted}`)
      }
    }
    expect(problems).toEqual([])
  })
})

describe('a port moved in the values', () => {
  const apiPod = (r: Render): K8sObject => workloadsOf(r.objects, 'api')[0]!

  it('api.service.port moves the API’s container port and every policy rule to it', async () => {
    const [before, after] = await Promise.all([
      renderChart({values: {...POLICIES_ON, api: {ingress: {enabled: true}}}}),
      renderChart({
        values: {...POLICIES_ON, api: {ingress: {enabled: true}, service: {port: 5001}}},
      }),
    ])
    for (const [r, port] of [
      [before, 5000],
      [after, 5001],
    ] as const) {
      expect(servedPorts(r, 'api'), idOf(apiPod(r))).toEqual([port])
      expect(ingressPorts(r, 'api', (peer) => peerComponent(peer) === 'test')).toEqual([port])
      expect(ingressPorts(r, 'api', (peer) => peer.namespaceSelector !== undefined)).toEqual([port])
      expect(egressPorts(r, 'test', 'api')).toEqual([port])
    }
  })

  it('the Daytona API and runner ports move their policies with them', async () => {
    const r = await renderChart(MOVED)
    expect(servedPorts(r, 'daytona-api')).toEqual([3999])
    expect(egressPorts(r, 'api', 'daytona-api')).toEqual([3999])
    expect(egressPorts(r, 'daytona-runner', 'daytona-api')).toEqual([3999])
    expect(servedPorts(r, 'daytona-runner')).toEqual([8082])
    expect(egressPorts(r, 'daytona-api', 'daytona-runner')).toEqual([8082])
    expect(egressPorts(r, 'daytona-proxy', 'daytona-runner')).toEqual([8082])
  })

  it('a Service port that maps to the pod leaves the policies on the container port', async () => {
    const r = await renderChart(MOVED)
    for (const [component, servicePort, containerPort] of [
      ['web', 8080, 4173],
      ['keycloak', 8081, 8080],
      ['litellm', 4001, 4000],
      ['postgresql', 5433, 5432],
      ['redis', 6380, 6379],
      ['daytona-proxy', 8088, 4000],
    ] as const) {
      const service = findObject(r.objects, 'Service', `geniro-${component}`)
      const ports = (service?.spec as {ports: Array<{port: number}>}).ports.map((p) => p.port)
      expect(ports, `Service geniro-${component}`).toEqual([servicePort])
      expect(servedPorts(r, component), component).toEqual([containerPort])
      expect(
        ingressPorts(r, component, () => true),
        component,
      ).toEqual([containerPort])
    }
    expect(egressPorts(r, 'api', 'litellm')).toEqual([4000])
    expect(egressPorts(r, 'api', 'qdrant')).toEqual([6333])
  })
})
