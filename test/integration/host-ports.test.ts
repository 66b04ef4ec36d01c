import {createServer, type Server} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {addressesInUse, findPortHolder, firstFreePort} from '../../src/adapters/host-ports.js'

const servers: Server[] = []

function listen(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    servers.push(server)
    server.once('error', reject)
    server.listen({host, port}, () => resolve((server.address() as {port: number}).port))
  })
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  )
})

describe('host port probes', () => {
  it('see a port held on 127.0.0.1, and that 0.0.0.0 is then blocked too', async () => {
    const port = await listen('127.0.0.1')
    expect(await addressesInUse(port)).toEqual(expect.arrayContaining(['127.0.0.1', '0.0.0.0']))
  })

  it('see a port held on ::1 only', async () => {
    const port = await listen('::1')
    expect(await addressesInUse(port)).toContain('::1')
  })

  it('report a free port as free, and leave it free', async () => {
    const port = await listen('127.0.0.1')
    await new Promise((resolve) => servers.pop()!.close(resolve))
    expect(await addressesInUse(port)).toEqual([])
    expect(await addressesInUse(port)).toEqual([])
  })

  it('name the process that holds a port', async () => {
    const port = await listen('127.0.0.1')
    const holder = await findPortHolder(port)
    expect(holder?.pid).toBe(process.pid)
    expect(holder?.description).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`))
  })

  it('return nothing for a port nobody listens on', async () => {
    const port = await listen('127.0.0.1')
    await new Promise((resolve) => servers.pop()!.close(resolve))
    expect(await findPortHolder(port)).toBeUndefined()
  })
})

describe('firstFreePort (get-port, for --next-free)', () => {
  /** Four consecutive ports free now, the first chosen by the OS. */
  async function freeRun(): Promise<number> {
    for (;;) {
      const base = await listen('127.0.0.1')
      await new Promise((resolve) => servers.pop()!.close(resolve))
      if (base > 65_531) continue
      const ports = [base, base + 1, base + 2, base + 3]
      if ((await Promise.all(ports.map(addressesInUse))).every((taken) => taken.length === 0))
        return base
    }
  }

  it('skips ports held on 127.0.0.1 or ::1 and excluded ones, in order', async () => {
    const base = await freeRun()
    await listen('127.0.0.1', base)
    await listen('::1', base + 1)
    expect(await firstFreePort([base, base + 1, base + 2, base + 3], [base + 2])).toBe(base + 3)
    expect(await addressesInUse(base + 3)).toEqual([]) // Checked, not kept.
  })

  it('answers nothing when every candidate is taken, instead of a random port', async () => {
    const base = await freeRun()
    await listen('127.0.0.1', base)
    await listen('0.0.0.0', base + 1)
    expect(await firstFreePort([base, base + 1, base + 2], [base + 2])).toBeUndefined()
  })
})
