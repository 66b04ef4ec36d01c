/**
 * The local ports forwards get, in-process against the memory toolbox's host ports: a free
 * port is kept, a taken one fails naming its holder (a process or a Compose service), and
 * --next-free moves the forward to the next port that is free, published by no Compose
 * service and chosen for no other forward.
 */
import {describe, expect, it} from 'vitest'
import type {ComposePort} from '../../src/core/compose-model.js'
import type {ForwardSpec} from '../../src/core/forward-plan.js'
import {PortConflictError, settlePorts} from '../../src/services/port-check.js'
import {MemoryWorld, memoryToolbox} from '../support/memory-toolbox.js'

const forward = (name: string, localPort: number): ForwardSpec => ({
  name,
  localPort,
  remotePort: localPort - 10_000,
  target: `svc/geniro-${name}`,
})

const composePort = (service: string, published: number): ComposePort => ({
  project: 'app',
  service,
  hostIp: '',
  published,
  target: published,
  protocol: 'tcp',
})

function hostPorts(bound: Record<number, string> = {}) {
  const world = new MemoryWorld()
  for (const [port, holder] of Object.entries(bound)) world.boundPorts.set(Number(port), holder)
  return memoryToolbox(world).hostPorts
}

describe("settling the forwards' local ports", () => {
  it('keeps every port that is free', async () => {
    const planned = [forward('api', 15000), forward('web', 14173)]
    expect(await settlePorts(planned, [], false, hostPorts())).toEqual({
      forwards: planned,
      moved: [],
    })
  })

  it('fails on a taken port, naming the process and the ways out', async () => {
    const error = await settlePorts(
      [forward('api', 15000)],
      [],
      false,
      hostPorts({15000: 'node (pid 4242)'}),
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PortConflictError)
    expect(error).toMatchObject({
      message: 'port 15000 for api is taken: held by node (pid 4242)',
      hint: 'free it, pick another with --port api=PORT, or pass --next-free',
      conflicts: [{port: 15000, forward: 'api', holder: 'held by node (pid 4242)'}],
    })
  })

  it('fails on a port a Compose service publishes, even when nothing binds it now', async () => {
    await expect(
      settlePorts([forward('redis', 16379)], [composePort('cache', 16379)], false, hostPorts()),
    ).rejects.toThrow(
      'port 16379 for redis is taken: Compose service "cache" of project "app" publishes it',
    )
  })

  it('--next-free skips bound ports, Compose ports and ports chosen for other forwards', async () => {
    const planned = [forward('api', 15000), forward('web', 15001)]
    const result = await settlePorts(
      planned,
      [composePort('debug', 15002)],
      true,
      hostPorts({15000: 'node (pid 1)', 15003: 'nc (pid 2)'}),
    )
    // api moves past 15001 (web's), 15002 (Compose's) and 15003 (bound) to 15004.
    expect(result.moved).toEqual([{name: 'api', from: 15000, to: 15004}])
    expect(result.forwards.map((f) => [f.name, f.localPort])).toEqual([
      ['api', 15004],
      ['web', 15001],
    ])
  })

  it('--next-free with nothing free in reach still fails', async () => {
    const bound = Object.fromEntries(
      Array.from({length: 200}, (_, i) => [65_400 + i, `busy (pid ${i})`]),
    )
    await expect(
      settlePorts([forward('api', 65_400)], [], true, hostPorts(bound)),
    ).rejects.toBeInstanceOf(PortConflictError)
  })
})
