import {describe, expect, it} from 'vitest'
import type {ComposePort} from '../../src/core/compose-model.js'
import {portOccupant} from '../../src/services/port-check.js'

const port = (published: number, extra: Partial<ComposePort> = {}): ComposePort => ({
  project: 'geniro',
  service: 'qdrant',
  hostIp: '',
  published,
  target: 6333,
  protocol: 'tcp',
  ...extra,
})

describe('portOccupant names the Compose service that publishes a port', () => {
  it('a single published port', async () => {
    expect(await portOccupant(16333, [port(16333)])).toBe(
      'Compose service "qdrant" of project "geniro" publishes it',
    )
  })

  it('every port of a published host range', async () => {
    const range = [port(16900, {publishedRangeEnd: 16905})]
    for (const taken of [16900, 16903, 16905])
      expect(await portOccupant(taken, range)).toContain('Compose service "qdrant"')
  })

  it('not a udp port of the same number', async () => {
    const udp = [port(16333, {protocol: 'udp'})]
    // Nothing else holds 16333 in this test process's view unless the machine does.
    expect((await portOccupant(16333, udp)) ?? 'free').not.toContain('Compose service')
  })
})
