import {describe, expect, it} from 'vitest'
import {probeFromPod} from '../../src/services/reachability.js'

/** kubectl at the seam: answers `runOnce` with what `kubectl run --rm --attach` printed. */
function kubectlSaying(output: string, exitCode = 0) {
  const calls: unknown[] = []
  return {
    calls,
    runOnce: async (input: unknown) => {
      calls.push(input)
      return {exitCode, output}
    },
  }
}

const input = {
  kubeContext: 'vm',
  image: 'postgres:17.6-alpine',
  host: '192.168.39.1',
  port: 5439,
  timeoutSeconds: 5,
}

describe('probeFromPod (pg_isready in a one-off pod)', () => {
  it('runs pg_isready against the address in the default namespace, with its own timeout', async () => {
    const kubectl = kubectlSaying('192.168.39.1:5439 - accepting connections')
    expect(await probeFromPod(kubectl, input)).toMatchObject({reachable: true, reason: 'connected'})
    expect(kubectl.calls[0]).toMatchObject({
      namespace: 'default',
      kubeContext: 'vm',
      image: 'postgres:17.6-alpine',
      command: ['pg_isready', '--host', '192.168.39.1', '--port', '5439', '--timeout', '5'],
    })
  })

  it('counts a server that rejects connections (starting up) as reachable', async () => {
    const probe = await probeFromPod(
      kubectlSaying('192.168.39.1:5439 - rejecting connections'),
      input,
    )
    expect(probe.reachable).toBe(true)
  })

  it("reports no response as a timeout, with pg_isready's words", async () => {
    const probe = await probeFromPod(
      kubectlSaying('192.168.39.1:5439 - no response\npod default/x terminated (Error)', 1),
      input,
    )
    expect(probe).toEqual({
      reachable: false,
      reason: 'timeout',
      detail: '192.168.39.1:5439 - no response | pod default/x terminated (Error)',
    })
  })

  it('anything else (an image that cannot be pulled) is unreachable, saying why', async () => {
    const probe = await probeFromPod(
      kubectlSaying('error: timed out waiting for the condition', 1),
      input,
    )
    expect(probe).toMatchObject({
      reachable: false,
      reason: 'unreachable',
      detail: 'error: timed out waiting for the condition',
    })
  })
})
