/**
 * `down`'s decisions, in-process against the memory toolbox: stop this release's forwards and
 * uninstall it, keep the cluster; change nothing on a second run; with --delete-cluster ask
 * first, then stop every release's forwards on that cluster, delete it and remove its state —
 * and nothing of another cluster's.
 */
import {existsSync} from 'node:fs'
import {beforeEach, describe, expect, it} from 'vitest'
import {down, type DownInput} from '../../src/services/down.js'
import {forward} from '../../src/services/forward.js'
import {MemoryWorld, memoryContext} from '../support/memory-toolbox.js'
import {useTempStateDir} from '../support/temp-state-dir.js'

const CONTEXT = 'kind-geniro-dev'
let world: MemoryWorld

const context = (answer = false) => memoryContext(world, answer)

const input = (overrides: Partial<DownInput> = {}): DownInput => ({
  cluster: 'geniro-dev',
  namespace: 'geniro',
  release: 'geniro',
  allowRemoteContext: false,
  deleteCluster: false,
  dryRun: false,
  ...overrides,
})

/** A release with its forwards running, as `up` leaves it. */
async function runningRelease(name: string, cluster = 'geniro-dev'): Promise<string> {
  world.installRelease(`kind-${cluster}`, name)
  const started = await forward(
    {
      cluster,
      namespace: 'geniro',
      release: name,
      allowRemoteContext: false,
      only: ['api'],
      overrides: {},
      nextFree: true,
      timeoutSeconds: 5,
      foreground: false,
    },
    context(),
  )
  return started.logFile.replace(/\/supervisor\.log$/, '')
}

useTempStateDir()

beforeEach(() => {
  world = new MemoryWorld()
  world.addKindCluster('geniro-dev')
})

describe('down, in-process', () => {
  it("stops the release's forwards and uninstalls it; the cluster stays", async () => {
    await runningRelease('geniro')
    world.journal.length = 0
    const result = await down(input(), context())
    expect(result).toMatchObject({
      forwardsStopped: true,
      releaseRemoved: true,
      clusterDeleted: false,
      composeDetached: false,
    })
    expect(world.journal).toEqual([
      expect.stringMatching(/^kill -TERM -\d+$/),
      'helm uninstall geniro',
    ])
    expect(world.processes.size).toBe(0)
    expect(world.clusters.has('geniro-dev')).toBe(true)
  })

  it('a second run finds nothing to do and changes nothing', async () => {
    world.installRelease(CONTEXT, 'geniro')
    await down(input(), context())
    world.journal.length = 0
    const again = await down(input(), context())
    expect(again).toMatchObject({forwardsStopped: false, releaseRemoved: false})
    expect(again.steps.map((step) => step.skip)).toEqual([
      'none running',
      'not installed',
      'none attached',
    ])
    expect(world.journal).toEqual([])
  })

  it('--dry-run lists the steps and changes nothing', async () => {
    await runningRelease('geniro')
    world.journal.length = 0
    const planned = await down(input({dryRun: true, deleteCluster: true}), context())
    expect(planned.steps.map((step) => step.title)).toEqual([
      'Stop the port-forwards',
      'Uninstall release "geniro" from namespace "geniro"',
      'Disconnect the Compose container bridge mode attached',
      'Delete kind cluster "geniro-dev"',
    ])
    expect(world.journal).toEqual([])
    expect(world.processes.size).toBeGreaterThan(0)
  })

  it('--delete-cluster asks first; a "no" changes nothing', async () => {
    await runningRelease('geniro')
    world.journal.length = 0
    const ctx = context(false)
    await expect(down(input({deleteCluster: true}), ctx)).rejects.toThrow(
      /refusing to delete the cluster "geniro-dev" without confirmation/,
    )
    expect(ctx.questions).toEqual(['Delete the kind cluster "geniro-dev"? Its data is lost.'])
    expect(world.journal).toEqual([])
  })

  it("--delete-cluster confirmed: every release's forwards on it stop, its state goes, another cluster's stays", async () => {
    const ours = await runningRelease('geniro')
    const alpha = await runningRelease('alpha')
    world.addKindCluster('other')
    const others = await runningRelease('geniro', 'other')
    world.journal.length = 0

    const result = await down(input({deleteCluster: true}), context(true))
    expect(result.steps[0]!.title).toBe(
      'Stop the port-forwards of every release on the cluster (geniro/geniro, geniro/alpha)',
    )
    expect(result).toMatchObject({
      forwardsStopped: true,
      releaseRemoved: true,
      clusterDeleted: true,
    })
    expect(world.journal.filter((line) => line.startsWith('kill'))).toHaveLength(2)
    expect(world.journal.slice(2)).toEqual([
      'helm uninstall geniro',
      'kind delete cluster --name geniro-dev',
    ])
    expect([existsSync(ours), existsSync(alpha), existsSync(others)]).toEqual([false, false, true])
    // The other cluster's supervisor (and its one tunnel) still run.
    expect(world.processes.size).toBe(2)
  })
})
