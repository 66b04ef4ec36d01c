import {describe, expect, it} from 'vitest'
import {
  nextFreeCandidates,
  parseForwardingLine,
  parsePortOverrides,
  planForwards,
  planLocalPorts,
  portForwardArgs,
  tunnelBackoffMs,
} from '../../src/core/forward-plan.js'
import {UserError} from '../../src/core/errors.js'
import {chartServices} from '../support/memory-toolbox.js'

// The chart's Services with their default ports, and the headless twins of the StatefulSets.
const SERVICES = chartServices('geniro').flatMap((service) => [
  service,
  ...(['postgresql', 'redis', 'qdrant'].includes(service.component)
    ? [{...service, name: `${service.name}-headless`}]
    : []),
])

const plan = (over: Partial<Parameters<typeof planForwards>[0]> = {}) =>
  planForwards({services: SERVICES, only: [], overrides: {}, kept: {}, ...over})

describe('planForwards', () => {
  it('forwards every component the release has on the offset table ports', () => {
    expect(plan().map((f) => [f.name, f.localPort, f.remotePort, f.target])).toEqual([
      ['api', 15000, 5000, 'svc/geniro-api'],
      ['web', 14173, 4173, 'svc/geniro-web'],
      ['litellm', 14000, 4000, 'svc/geniro-litellm'],
      ['keycloak', 18080, 80, 'svc/geniro-keycloak'],
      ['postgresql', 15432, 5432, 'svc/geniro-postgresql'],
      ['redis', 16379, 6379, 'svc/geniro-redis'],
      ['qdrant', 16333, 6333, 'svc/geniro-qdrant'],
    ])
  })

  it('skips components the release does not run, and Daytona unless enabled', () => {
    const names = plan({services: SERVICES.filter((s) => s.component !== 'litellm')}).map(
      (f) => f.name,
    )
    expect(names).not.toContain('litellm')
    expect(names).not.toContain('daytona-api')
    const withDaytona = plan({
      services: [
        ...SERVICES,
        {component: 'daytona-api', name: 'x-daytona-api', ports: [{name: 'http', port: 3986}]},
      ],
    })
    expect(withDaytona.find((f) => f.name === 'daytona-api')).toMatchObject({
      localPort: 13986,
      target: 'svc/x-daytona-api',
    })
  })

  it('--only narrows the set and refuses unknown or absent components', () => {
    expect(plan({only: ['api', 'web']}).map((f) => f.name)).toEqual(['api', 'web'])
    expect(() => plan({only: ['apii']})).toThrow(/"apii" is not a forwardable component/)
    expect(() => plan({only: ['daytona-api']})).toThrow(/no daytona-api Service/)
  })

  it('overrides win over kept ports, which win over the table', () => {
    const specs = plan({overrides: {api: 25000}, kept: {api: 15001, web: 14174}})
    expect(specs.find((f) => f.name === 'api')?.localPort).toBe(25000)
    expect(specs.find((f) => f.name === 'web')?.localPort).toBe(14174)
  })

  it('refuses two forwards on one port', () => {
    expect(() => plan({overrides: {api: 14173}})).toThrow(/web and api|api and web/)
  })

  it("reaches the Service's own port, so a values override of it is followed", () => {
    const services = SERVICES.map((s) =>
      s.component === 'web' ? {...s, ports: [{name: 'http', port: 8080}]} : s,
    )
    expect(plan({services}).find((f) => f.name === 'web')).toMatchObject({
      localPort: 14173,
      remotePort: 8080,
    })
  })

  it('picks the named port among several, else the only one, else refuses', () => {
    expect(plan().find((f) => f.name === 'qdrant')?.remotePort).toBe(6333)
    const reordered = SERVICES.map((s) =>
      s.component === 'qdrant' ? {...s, ports: [...s.ports].reverse()} : s,
    )
    expect(plan({services: reordered}).find((f) => f.name === 'qdrant')?.remotePort).toBe(6333)
    const unnamed = SERVICES.map((s) =>
      s.component === 'api' ? {...s, ports: [{name: '', port: 5001}]} : s,
    )
    expect(plan({services: unnamed}).find((f) => f.name === 'api')?.remotePort).toBe(5001)
    const foreign = SERVICES.map((s) =>
      s.component === 'qdrant'
        ? {
            ...s,
            ports: [
              {name: 'rest', port: 6333},
              {name: 'grpc', port: 6334},
            ],
          }
        : s,
    )
    expect(() => plan({services: foreign})).toThrow(
      /Service geniro-qdrant has no port named "http" to forward/,
    )
    // A component left out by --only is never asked for its port.
    expect(plan({services: foreign, only: ['api']}).map((f) => f.name)).toEqual(['api'])
  })
})

describe('planLocalPorts', () => {
  it('plans local ports for the given components without any Service', () => {
    expect(
      planLocalPorts({components: ['web', 'api'], only: [], overrides: {web: 24173}, kept: {}}),
    ).toEqual([
      {name: 'api', localPort: 15000},
      {name: 'web', localPort: 24173},
    ])
  })

  it('refuses an --only component that is not there, and a port twice', () => {
    const base = {components: ['api', 'web'], only: [], overrides: {}, kept: {}}
    expect(() => planLocalPorts({...base, only: ['redis']})).toThrow(/no redis Service/)
    expect(() => planLocalPorts({...base, kept: {web: 15000}})).toThrow(/would both listen/)
  })
})

describe('parsePortOverrides', () => {
  it('reads NAME=PORT', () => {
    expect(parsePortOverrides(['api=15001', ' web=24173 '])).toEqual({api: 15001, web: 24173})
  })
  it.each(['api', 'api=', '=15000', 'api=80', 'api=70000', 'api=1.5', 'API=15000'])(
    'refuses %j with a usage hint',
    (entry) => {
      expect(() => parsePortOverrides([entry])).toThrow(UserError)
    },
  )
})

describe('tunnel helpers', () => {
  it("parses kubectl's ready line for IPv4 only", () => {
    expect(parseForwardingLine('Forwarding from 127.0.0.1:41235 -> 5000')).toBe(41235)
    expect(parseForwardingLine('Forwarding from [::1]:41235 -> 5000')).toBeUndefined()
    expect(parseForwardingLine('Handling connection for 41235')).toBeUndefined()
  })

  it('restarts at once after a healthy tunnel, then backs off to a cap', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(tunnelBackoffMs)).toEqual([
      0, 250, 500, 1000, 2000, 4000, 4000,
    ])
  })

  it('--next-free looks upwards, deterministically, within the port range', () => {
    expect(nextFreeCandidates(15000).slice(0, 3)).toEqual([15001, 15002, 15003])
    expect(nextFreeCandidates(65534)).toEqual([65535])
  })

  it('asks kubectl for an ephemeral port on 127.0.0.1 with an explicit context', () => {
    expect(
      portForwardArgs(
        {name: 'api', localPort: 15000, remotePort: 5000, target: 'svc/g-api'},
        'kind-x',
        'ns',
      ),
    ).toEqual([
      '--context',
      'kind-x',
      '--namespace',
      'ns',
      'port-forward',
      'svc/g-api',
      ':5000',
      '--address',
      '127.0.0.1',
    ])
  })
})
