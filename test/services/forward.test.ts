/**
 * The forwards' decisions, in-process against the memory toolbox: start a supervisor or report
 * the one running, clean what a dead one left (signalling only processes proven ours), refuse
 * unreadable state, undo a start that failed, stop a detached supervisor by its group and a
 * foreground one by its pid. The state dir is real files in a temp dir; the processes, their
 * signals and the supervisor's launch are the memory world's.
 */
import {writeFileSync} from 'node:fs'
import {beforeEach, describe, expect, it} from 'vitest'
import {identityFrom} from '../../src/adapters/process-identity.js'
import {StaleStateError, type ForwardStateDir} from '../../src/adapters/forward-state.js'
import {ToolFailedError} from '../../src/core/errors.js'
import {stopSupervisor} from '../../src/forward/launcher.js'
import {forward, type ForwardContext} from '../../src/services/forward.js'
import {MemoryWorld, memoryContext} from '../support/memory-toolbox.js'
import {useTempStateDir} from '../support/temp-state-dir.js'

const CONTEXT = 'kind-geniro-dev'
const WHERE = {kubeContext: CONTEXT, namespace: 'geniro', release: 'geniro'}
let world: MemoryWorld
let ctx: ForwardContext & {notes: string[]}

const input = (overrides: Partial<Parameters<typeof forward>[0]> = {}) => ({
  cluster: 'geniro-dev',
  namespace: 'geniro',
  release: 'geniro',
  allowRemoteContext: false,
  only: [],
  overrides: {},
  nextFree: false,
  timeoutSeconds: 5,
  foreground: false,
  ...overrides,
})

const files = (): ForwardStateDir => ctx.tools.state.releaseDir(WHERE)

/** A supervisor as an earlier `forward` left it running: its record, its tunnels, its state. */
async function runningSupervisor(): Promise<{supervisor: number; tunnels: number[]}> {
  const started = await forward(input(), ctx)
  world.journal.length = 0
  const tunnels = files()
    .readTunnels()
    .map((t) => t.pid)
  return {supervisor: started.supervisor.pid!, tunnels}
}

useTempStateDir()

beforeEach(() => {
  world = new MemoryWorld()
  world.addKindCluster('geniro-dev')
  world.installRelease(CONTEXT, 'geniro')
  ctx = memoryContext(world)
})

describe('forward, in-process', () => {
  it("starts a supervisor for the release's Services, on their own ports", async () => {
    const result = await forward(input(), ctx)
    expect(result).toMatchObject({alreadyRunning: false, moved: [], kubeContext: CONTEXT})
    expect(result.staleCleaned).toBeUndefined()
    expect(result.supervisor.running).toBe(true)
    expect(result.forwards.map((f) => [f.name, f.localPort, f.remotePort, f.state])).toEqual([
      ['api', 15000, 5000, 'ready'],
      ['web', 14173, 4173, 'ready'],
      ['litellm', 14000, 4000, 'ready'],
      ['keycloak', 18080, 80, 'ready'],
      ['postgresql', 15432, 5432, 'ready'],
      ['redis', 16379, 6379, 'ready'],
      ['qdrant', 16333, 6333, 'ready'],
    ])
    expect(world.journal).toEqual(['start supervisor for kind-geniro-dev/geniro/geniro'])
  })

  it('a supervisor already running is reported, not started twice', async () => {
    const {supervisor} = await runningSupervisor()
    const again = await forward(input(), ctx)
    expect(again.alreadyRunning).toBe(true)
    expect(again.supervisor).toEqual({pid: supervisor, running: true})
    expect(world.journal).toEqual([])
  })

  it('a dead supervisor: its live tunnels are killed, a reused pid is left alone, then a new one starts', async () => {
    const {supervisor, tunnels} = await runningSupervisor()
    const [orphan, reused] = tunnels as [number, number]
    // The supervisor died (kill -9): its group is gone but for one tunnel...
    world.processes.delete(supervisor)
    for (const pid of tunnels.slice(2)) world.processes.delete(pid)
    // ...and the pid of another recorded tunnel now names someone else's program.
    world.processes.set(reused, {...world.processes.get(reused)!, startTicks: 1, command: 'psql'})

    const result = await forward(input(), ctx)
    expect(result.staleCleaned).toBe(supervisor)
    expect(result.alreadyRunning).toBe(false)
    expect(world.journal).toEqual([
      `kill -TERM ${orphan}`,
      'start supervisor for kind-geniro-dev/geniro/geniro',
    ])
    expect(world.processes.get(reused)?.command).toBe('psql')
    expect(result.supervisor.pid).not.toBe(supervisor)
  })

  it('a supervisor pid that now names another program is stale: nothing is signalled', async () => {
    const {supervisor, tunnels} = await runningSupervisor()
    for (const pid of [supervisor, ...tunnels]) world.processes.delete(pid)
    world.processes.set(supervisor, {
      pid: supervisor,
      pgid: supervisor,
      zombie: false,
      startTicks: 3,
      boot: 'memory',
      command: `node /geniro-dev/dist/forward/forward-supervisor.js ${files().dir}`,
    })
    const stopped = await stopSupervisor(files())
    expect(stopped).toMatchObject({stopped: false, pid: supervisor})
    expect(stopped.stale).toMatch(/is now another process/)
    expect(world.journal).toEqual([])
    expect(world.processes.has(supervisor)).toBe(true)
    expect(files().readSupervisor()).toBeUndefined()
  })

  it('unreadable state refuses the start with the way out; forward stop clears it', async () => {
    files().ensure()
    writeFileSync(files().stateFile, '{"pid": ')
    const refused = forward(input(), ctx)
    await expect(refused).rejects.toThrow(StaleStateError)
    await expect(refused).rejects.toMatchObject({hint: expect.stringContaining('forward stop')})
    expect(world.journal).toEqual([])

    expect((await stopSupervisor(files())).cleaned).toEqual([files().stateFile])
    expect((await forward(input(), ctx)).alreadyRunning).toBe(false)
  })

  it('a start whose forwards fail is undone: the supervisor group stopped, its state cleared', async () => {
    world.supervisorSettles = 'failed'
    await expect(forward(input(), ctx)).rejects.toThrow(ToolFailedError)
    const [start, kill] = world.journal
    expect(start).toBe('start supervisor for kind-geniro-dev/geniro/geniro')
    expect(kill).toMatch(/^kill -TERM -\d+$/)
    expect(world.processes.size).toBe(0)
    expect(files().readSupervisor()).toBeUndefined()
    expect(files().readState()).toBeUndefined()
  })

  it('--next-free moves a taken port, keeps the choice, and says so', async () => {
    world.boundPorts.set(15000, 'held by nginx (pid 77)')
    const result = await forward(input({nextFree: true}), ctx)
    expect(result.moved).toEqual([{name: 'api', from: 15000, to: 15001}])
    expect(files().keptPorts()).toEqual({api: 15001})
    expect(ctx.notes).toEqual(['api: port 15000 is taken; using 15001'])
  })

  it('stop: a detached supervisor by its group, a foreground one by its pid only', async () => {
    const {supervisor} = await runningSupervisor()
    expect(await stopSupervisor(files())).toMatchObject({stopped: true, pid: supervisor})
    expect(world.journal).toEqual([`kill -TERM -${supervisor}`])
    expect(world.processes.size).toBe(0)

    world.journal.length = 0
    const foreground = world.spawn('node /usr/bin/geniro-dev forward --foreground', 1234)
    files().ensure()
    writeFileSync(files().pidFile, JSON.stringify(identityFrom(foreground)))
    expect(await stopSupervisor(files())).toMatchObject({stopped: true, pid: foreground.pid})
    expect(world.journal).toEqual([`kill -TERM ${foreground.pid}`])
  })
})
