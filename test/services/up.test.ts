/**
 * `up`'s decisions, in-process against the memory toolbox: which cluster step, install or
 * upgrade or nothing, recovery of a release Helm left pending, the --recreate confirmation and
 * the context guard. No child process, no socket: the values files Helm would read are the
 * only files written (in a private temp dir, removed after the step).
 */
import {beforeEach, describe, expect, it} from 'vitest'
import {chartIdentity} from '../../src/adapters/chart-source.js'
import {parseVersion} from '../../src/core/version.js'
import {releaseDescription, up, type UpInput} from '../../src/services/up.js'
import {MemoryWorld, memoryContext} from '../support/memory-toolbox.js'
import {useTempStateDir} from '../support/temp-state-dir.js'

const CONTEXT = 'kind-geniro-dev'
let world: MemoryWorld

function input(overrides: Partial<UpInput> = {}): UpInput {
  return {
    cluster: 'geniro-dev',
    namespace: 'geniro',
    release: 'geniro',
    allowRemoteContext: false,
    kubernetesVersion: parseVersion('1.34.0')!,
    valuesFiles: [],
    sets: [],
    timeoutSeconds: 600,
    recreate: false,
    forceUpgrade: false,
    dryRun: false,
    ...overrides,
  }
}

const context = (answer = false) => memoryContext(world, answer)

/** The release as a finished earlier `up` leaves it, then marked with `status`. */
async function installedRelease(status = 'deployed'): Promise<void> {
  world.addKindCluster('geniro-dev')
  await up(input(), context())
  const release = world.release(CONTEXT, 'geniro', 'geniro')!
  release.info = {...release.info, status}
  world.journal.length = 0
}

useTempStateDir()

beforeEach(() => {
  world = new MemoryWorld()
})

describe('up, in-process', () => {
  it('creates a missing cluster, then installs the chart with the digest in its description', async () => {
    const result = await up(input(), context())
    expect(result).toMatchObject({clusterAction: 'created', releaseAction: 'installed'})
    expect(world.journal).toEqual([
      'kind create cluster --name geniro-dev',
      'helm upgrade --install',
    ])
    const chart = await chartIdentity()
    expect(world.release(CONTEXT, 'geniro', 'geniro')?.info).toMatchObject({
      revision: 1,
      chart: `${chart.name}-${chart.version}`,
      description: releaseDescription(chart.digest),
    })
  })

  it('re-run with the same values and chart: nothing changes, the step says why', async () => {
    await installedRelease()
    const result = await up(input(), context())
    expect(result.releaseAction).toBe('unchanged')
    expect(world.journal).toEqual([])
    expect(result.steps.at(-1)?.skip).toMatch(/^unchanged \(revision 1\); --force-upgrade/)
  })

  it('a changed value upgrades; --force-upgrade re-applies the same values', async () => {
    await installedRelease()
    const changed = await up(input({sets: ['api.replicaCount=2']}), context())
    expect(changed.releaseAction).toBe('upgraded')
    expect(world.release(CONTEXT, 'geniro', 'geniro')?.values).toMatchObject({
      api: {replicaCount: 2},
    })
    world.journal.length = 0
    const forced = await up(input({sets: ['api.replicaCount=2'], forceUpgrade: true}), context())
    expect(forced.releaseAction).toBe('upgraded')
    expect(world.journal).toEqual(['helm upgrade --install'])
  })

  it('a first install Helm left pending is removed, then installed again', async () => {
    await installedRelease('pending-install')
    const result = await up(input(), context())
    expect(result.releaseAction).toBe('installed')
    expect(world.journal).toEqual(['helm uninstall geniro', 'helm upgrade --install'])
    expect(world.release(CONTEXT, 'geniro', 'geniro')?.info).toMatchObject({
      revision: 1,
      status: 'deployed',
    })
  })

  it('an upgrade Helm left pending is rolled back, then upgraded', async () => {
    await installedRelease('pending-upgrade')
    const result = await up(input(), context())
    expect(result.releaseAction).toBe('upgraded')
    expect(world.journal).toEqual(['helm rollback geniro', 'helm upgrade --install'])
  })

  it('--recreate asks first; a "no" changes nothing', async () => {
    await installedRelease()
    const ctx = context(false)
    await expect(up(input({recreate: true}), ctx)).rejects.toMatchObject({
      message: 'refusing to recreate the cluster "geniro-dev" without confirmation',
      hint: 'pass --yes to confirm',
    })
    expect(ctx.questions).toEqual([
      'Delete and re-create the kind cluster "geniro-dev"? Its data is lost.',
    ])
    expect(world.journal).toEqual([])
  })

  it('--recreate confirmed: deletes, creates and installs from scratch', async () => {
    await installedRelease()
    const result = await up(input({recreate: true}), context(true))
    expect(result).toMatchObject({clusterAction: 'recreated', releaseAction: 'installed'})
    expect(world.journal).toEqual([
      'kind delete cluster --name geniro-dev',
      'kind create cluster --name geniro-dev',
      'helm upgrade --install',
    ])
  })

  it('a stopped cluster is started, not recreated', async () => {
    world.addKindCluster('geniro-dev', 'stopped')
    const result = await up(input(), context())
    expect(result.clusterAction).toBe('started')
    expect(world.journal[0]).toBe('kind start geniro-dev')
  })

  it('a reused cluster on another Kubernetes: a warning with the way out, and nothing else changes', async () => {
    await installedRelease()
    world.kubernetesVersion = 'v1.33.1'
    const notes: string[] = []
    const result = await up(input(), {...context(), note: (line) => notes.push(line)})
    const warning =
      'the kind cluster "geniro-dev" runs Kubernetes 1.33.1, not the 1.34.0 asked for; it is used as it is (`--recreate` re-creates it with 1.34.0, deleting its data)'
    expect(result).toMatchObject({clusterAction: 'reused', releaseAction: 'unchanged'})
    expect(result.warnings).toEqual([warning])
    expect(notes).toContain(`Warning: ${warning}`)
    expect(world.journal).toEqual([])
  })

  it('refuses a managed context whose API server is not local, before any change', async () => {
    world.addKindCluster('geniro-dev')
    world.contexts.set(CONTEXT, 'https://203.0.113.10:6443')
    await expect(up(input(), context())).rejects.toThrow(/^refusing kube context "kind-geniro-dev"/)
    expect(world.journal).toEqual([])
  })

  it('--dry-run plans the steps and changes nothing', async () => {
    const result = await up(input({dryRun: true}), context())
    expect(result.dryRun).toBe(true)
    expect(result.steps.map((step) => step.title)).toEqual([
      'Create kind cluster "geniro-dev"',
      expect.stringMatching(/^Install chart geniro \S+ as release "geniro" in namespace "geniro"$/),
    ])
    expect(world.journal).toEqual([])
  })

  it("a failed install reports Helm's words as a tool failure", async () => {
    world.addKindCluster('geniro-dev')
    world.failNextUpgrade = 'Error: INSTALLATION FAILED: context deadline exceeded'
    const ctx = context()
    await expect(up(input(), ctx)).rejects.toMatchObject({
      outputLines: ['Error: INSTALLATION FAILED: context deadline exceeded'],
    })
    expect(world.journal).toEqual(['helm upgrade --install'])
  })
})
