/**
 * How bridge mode decides the way pods reach the Compose PostgreSQL, in-process against the
 * memory toolbox's Docker networks: the gateway when a probe from the cluster's network gets
 * through; the attach fallback only with consent (or --attach) and never for a refused port;
 * minikube's VM drivers checked from a one-off pod instead.
 */
import {beforeEach, describe, expect, it} from 'vitest'
import {readAttachments} from '../../src/adapters/bridge-state.js'
import type {BridgeEndpoint, BridgeInput} from '../../src/services/bridge/plan.js'
import {resolveRoute, type BridgeContext} from '../../src/services/bridge/route.js'
import type {Target} from '../../src/services/cluster-target.js'
import {
  CONNECTED,
  MemoryWorld,
  REFUSED,
  TIMED_OUT,
  memoryContext,
  memoryToolbox,
} from '../support/memory-toolbox.js'
import {useTempStateDir} from '../support/temp-state-dir.js'

const GATEWAY = '172.18.0.1'
let world: MemoryWorld

const source: BridgeEndpoint = {
  service: 'postgres',
  container: 'app-postgres-1',
  published: 5439,
  target: 5432,
  loopbackOnly: false,
  warnings: [],
}

function bridgeInput(overrides: Partial<BridgeInput> = {}): BridgeInput {
  return {
    composeFiles: [],
    attach: false,
    probeImage: 'busybox:1.37.0',
    podProbeImage: 'postgres:17.6-alpine',
    bridgeServices: [],
    cwd: '/',
    env: {},
    ...overrides,
  }
}

function target(provider: 'kind' | 'minikube' = 'kind'): Target {
  const tools = memoryToolbox(world)
  return {
    provider: tools.providers[provider],
    cluster: 'geniro-dev',
    state: 'running',
    kubeContext: provider === 'kind' ? 'kind-geniro-dev' : 'geniro-dev',
    managed: true,
    namespace: 'geniro',
    release: 'geniro',
  }
}

function context(answer: boolean, dryRun = false): BridgeContext & {questions: string[]} {
  return {...memoryContext(world, answer), dryRun}
}

useTempStateDir()

beforeEach(() => {
  world = new MemoryWorld()
  world.networks.set('kind', {gateway: GATEWAY})
  world.containers.set('app-postgres-1', {app_default: '172.19.0.2'})
})

describe('the route to the Compose PostgreSQL (kind)', () => {
  it('takes the gateway when the probe from the cluster network gets through', async () => {
    world.reach = (network, host, port) =>
      network === 'kind' && host === GATEWAY && port === 5439 ? CONNECTED : REFUSED
    const ctx = context(false)
    const route = await resolveRoute(source, target(), bridgeInput(), ctx)
    expect(route).toEqual({host: GATEWAY, port: 5439, path: 'gateway'})
    expect(ctx.questions).toEqual([])
    expect(world.journal).toEqual([])
  })

  it('gateway timed out, consent given: attaches the container and records it as ours', async () => {
    world.reach = (network, host, port) =>
      network === 'kind' && host.startsWith('172.18.0.1') && port === 5432 ? CONNECTED : TIMED_OUT
    const ctx = context(true)
    const route = await resolveRoute(source, target(), bridgeInput(), ctx)
    expect(ctx.questions).toEqual([
      'Connect the Compose container "app-postgres-1" to the Docker network "kind" (undone by `geniro-dev down`)?',
    ])
    expect(world.journal).toEqual(['docker network connect kind app-postgres-1'])
    expect(route).toMatchObject({port: 5432, path: 'attached', network: 'kind'})
    expect(route.host).toMatch(/^172\.18\.0\.1\d$/)
    expect(readAttachments(memoryToolbox(world).state.releaseDir(target()))).toEqual([
      {network: 'kind', container: 'app-postgres-1'},
    ])
  })

  it('gateway timed out, consent refused: nothing is attached', async () => {
    world.reach = () => TIMED_OUT
    const ctx = context(false)
    await expect(resolveRoute(source, target(), bridgeInput(), ctx)).rejects.toThrow(/5439/)
    expect(ctx.questions).toHaveLength(1)
    expect(world.journal).toEqual([])
    expect(readAttachments(memoryToolbox(world).state.releaseDir(target()))).toEqual([])
  })

  it('--attach attaches without asking', async () => {
    world.reach = (_network, host) => (host === GATEWAY ? TIMED_OUT : CONNECTED)
    const ctx = context(false)
    const route = await resolveRoute(source, target(), bridgeInput({attach: true}), ctx)
    expect(route.path).toBe('attached')
    expect(ctx.questions).toEqual([])
  })

  it('a refused port is the stack being down: no attach, no question', async () => {
    world.reach = () => REFUSED
    const ctx = context(true)
    await expect(resolveRoute(source, target(), bridgeInput(), ctx)).rejects.toThrow()
    expect(ctx.questions).toEqual([])
    expect(world.journal).toEqual([])
  })

  it('an attach whose container does not answer is undone', async () => {
    world.reach = () => TIMED_OUT
    const ctx = context(true)
    await expect(resolveRoute(source, target(), bridgeInput(), ctx)).rejects.toThrow(
      /does not answer .*; it was disconnected again/,
    )
    expect(world.journal).toEqual([
      'docker network connect kind app-postgres-1',
      'docker network disconnect kind app-postgres-1',
    ])
    expect(readAttachments(memoryToolbox(world).state.releaseDir(target()))).toEqual([])
  })

  it('--dry-run plans the gateway route and probes nothing', async () => {
    world.reach = () => {
      throw new Error('no probe under --dry-run')
    }
    const route = await resolveRoute(source, target(), bridgeInput(), context(false, true))
    expect(route).toEqual({host: GATEWAY, port: 5439, path: 'gateway'})
  })
})

describe('the route to the Compose PostgreSQL (minikube)', () => {
  const vmSource = {...source, plan: {databases: []}} as unknown as BridgeEndpoint

  beforeEach(() => {
    world.installed = {kind: false, minikube: true}
    world.minikubeProfiles.push({name: 'geniro-dev', driver: 'kvm2', hostAddress: '192.168.39.1'})
  })

  it('a VM driver: a one-off pod checks the host address with pg_isready', async () => {
    world.podProbe = (host, port) =>
      host === '192.168.39.1' && port === 5439 ? `${host}:${port} - accepting connections` : ''
    const route = await resolveRoute(vmSource, target('minikube'), bridgeInput(), context(false))
    expect(route).toEqual({host: '192.168.39.1', port: 5439, path: 'gateway'})
    expect(world.journal).toEqual([
      'kubectl run postgres:17.6-alpine pg_isready --host 192.168.39.1 --port 5439 --timeout 5',
    ])
  })

  it('a VM driver whose pods cannot reach the host: refused, naming the driver', async () => {
    await expect(
      resolveRoute(vmSource, target('minikube'), bridgeInput(), context(true)),
    ).rejects.toThrow(/\(driver kvm2\) cannot reach postgres at 192\.168\.39\.1:5439/)
    expect(world.journal.filter((line) => line.startsWith('docker'))).toEqual([])
  })
})
