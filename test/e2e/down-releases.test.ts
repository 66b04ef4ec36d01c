/**
 * `down` with several releases on one cluster (issue 14): a Compose container two releases
 * bridge to stays attached until the last of them is down, and `down --delete-cluster` stops
 * every release's forwards on that cluster and removes all of their state, leaving other
 * clusters' state alone. Run as a user runs bin/run.js, against the fakes of test/fakes and
 * the private Docker engine (a real container on the real `kind` network).
 */
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {dockerOn} from '../support/busybox-image.js'
import {FAKE_NODE_IMAGE, fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processTable, waitFor} from '../support/processes.js'
import {runCliChecked} from '../support/schemas.js'

let environment: FakeEnvironment
let dockerHost: string
const container = `gdev-down-releases-${process.pid}`

/** Runs the CLI; every successful --json run is checked against its command's schema. */
const cli = (args: string[]) => runCliChecked(args, environment.env)
const docker = (args: string[]) => dockerOn(dockerHost, args)
const forwardsDir = (key: string) => join(environment.env.GENIRO_DEV_STATE_DIR!, 'forwards', key)
const alive = (pid: number) => processTable().some((entry) => entry.pid === pid)
const networksOf = (name: string) =>
  Object.keys(
    JSON.parse(docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', name])),
  )

/** What bridge mode records when it attaches (or shares) a Compose container. */
function recordAttachment(key: string): void {
  mkdirSync(forwardsDir(key), {recursive: true})
  writeFileSync(
    join(forwardsDir(key), 'bridge-attachment.json'),
    JSON.stringify([{network: 'kind', container}]),
  )
}

async function up(release: string): Promise<number> {
  const run = await cli(['up', '--release', release, '--next-free', '--json'])
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout).forwards.supervisor.pid as number
}

beforeAll(() => {
  dockerHost = inject('dockerHost')
  environment = fakeEnvironment({helm: 'helm4', dockerHost})
})

afterAll(async () => {
  if (!environment) return
  docker(['rm', '-f', container])
  for (const release of ['alpha', 'beta']) await cli(['forward', 'stop', '--release', release])
  environment.cleanup()
})

describe('down with two releases on one cluster', () => {
  let alphaPid: number
  let betaPid: number

  it('keeps a Compose container attached while another release still bridges to it', async () => {
    alphaPid = await up('alpha')
    betaPid = await up('beta')
    // A stand-in for the Compose PostgreSQL: a real container, on the cluster's network.
    docker([
      'run',
      '-d',
      '--name',
      container,
      '--label',
      `geniro-dev.fake.env=${environment.env.GENIRO_FAKE_ID}`,
      FAKE_NODE_IMAGE,
      'sleep',
      '600',
    ])
    docker(['network', 'connect', 'kind', container])
    recordAttachment('kind-geniro-dev@geniro@alpha')
    recordAttachment('kind-geniro-dev@geniro@beta')

    const down = await cli(['down', '--release', 'beta', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(JSON.parse(down.stdout)).toMatchObject({composeDetached: false, forwardsStopped: true})
    // Before: beta's down disconnected it, and alpha's pods lost their database.
    expect(networksOf(container)).toContain('kind')
    expect(
      existsSync(join(forwardsDir('kind-geniro-dev@geniro@beta'), 'bridge-attachment.json')),
    ).toBe(false)
    expect(
      existsSync(join(forwardsDir('kind-geniro-dev@geniro@alpha'), 'bridge-attachment.json')),
    ).toBe(true)
    await waitFor(() => !alive(betaPid), 10_000, `beta's supervisor ${betaPid} to exit`)
    expect(alive(alphaPid)).toBe(true)
  }, 240_000)

  it('down --delete-cluster stops every release’s forwards and removes only that cluster’s state', async () => {
    betaPid = await up('beta')
    // Another cluster's state, holding nothing of this one's: it must survive.
    mkdirSync(forwardsDir('kind-other@geniro'), {recursive: true})
    writeFileSync(join(forwardsDir('kind-other@geniro'), 'ports.json'), '{"web":18080}')

    const down = await cli(['down', '--delete-cluster', '--yes', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(JSON.parse(down.stdout)).toMatchObject({
      clusterDeleted: true,
      forwardsStopped: true,
      composeDetached: true,
    })
    // Before: the default release's down left alpha's and beta's supervisors running against
    // a deleted cluster, their state behind, and the container attached.
    await waitFor(() => !alive(alphaPid) && !alive(betaPid), 10_000, 'both supervisors to exit')
    expect(existsSync(forwardsDir('kind-geniro-dev@geniro@alpha'))).toBe(false)
    expect(existsSync(forwardsDir('kind-geniro-dev@geniro@beta'))).toBe(false)
    expect(existsSync(join(forwardsDir('kind-other@geniro'), 'ports.json'))).toBe(true)
    expect(networksOf(container)).not.toContain('kind')
  }, 240_000)
})
