/**
 * Two Helm releases in one kube context and namespace (issue 14): each has its own forward
 * supervisor and state dir, `forward status --release` shows each its own forwards, and
 * `down --release` stops only that release's. Run as a user runs bin/run.js, against the
 * fakes of test/fakes and the private Docker engine.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {processTable, waitFor} from '../support/processes.js'
import {runCliChecked} from '../support/schemas.js'

let environment: FakeEnvironment

/** Runs the CLI; every successful --json run is checked against its command's schema. */
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCliChecked(args, {...environment.env, ...extraEnv})

const forwardsDir = (key: string) => join(environment.env.GENIRO_DEV_STATE_DIR!, 'forwards', key)

const alive = (pid: number) => processTable().some((entry) => entry.pid === pid)

interface Forward {
  name: string
  localPort: number
  state: string
}

async function statusJson(args: string[], extraEnv: Record<string, string> = {}) {
  const run = await cli(['forward', 'status', '--json', ...args], extraEnv)
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as {
    supervisor: {pid: number | null; running: boolean}
    forwards: Forward[]
  }
}

const ports = (forwards: Forward[]) => forwards.map((f) => f.localPort).sort()

let alphaPid: number
let betaPid: number
let alphaPorts: number[]

beforeAll(() => {
  environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
})

afterAll(async () => {
  if (environment) {
    await cli(['forward', 'stop', '--release', 'alpha'])
    await cli(['forward', 'stop', '--release', 'beta'])
    environment.cleanup()
  }
})

describe('forwards of two releases in one namespace', () => {
  it('up --release beta starts its own supervisor and state dir beside alpha’s', async () => {
    const alpha = await cli(['up', '--release', 'alpha', '--json'])
    expect(alpha.code, alpha.stderr).toBe(0)
    const alphaUp = JSON.parse(alpha.stdout)
    expect(alphaUp.forwards).toMatchObject({release: 'alpha', alreadyRunning: false})
    alphaPid = alphaUp.forwards.supervisor.pid

    const beta = await cli(['up', '--release', 'beta', '--next-free', '--json'])
    expect(beta.code, beta.stderr).toBe(0)
    const betaUp = JSON.parse(beta.stdout)
    // Before issue 14 this reported alpha's supervisor as beta's ("already running").
    expect(betaUp.forwards).toMatchObject({release: 'beta', alreadyRunning: false})
    betaPid = betaUp.forwards.supervisor.pid
    expect(betaPid).not.toBe(alphaPid)
    expect(alive(alphaPid) && alive(betaPid)).toBe(true)

    expect(existsSync(forwardsDir('kind-geniro-dev@geniro@alpha'))).toBe(true)
    expect(existsSync(forwardsDir('kind-geniro-dev@geniro@beta'))).toBe(true)
    expect(existsSync(forwardsDir('kind-geniro-dev@geniro'))).toBe(false)

    const alphaStatus = await statusJson(['--release', 'alpha'])
    expect(alphaStatus.supervisor).toEqual({pid: alphaPid, running: true})
    expect(alphaStatus.forwards.length).toBeGreaterThan(0)
    expect(alphaStatus.forwards.every((f) => f.state === 'ready')).toBe(true)
    alphaPorts = ports(alphaStatus.forwards)
    expect(alphaPorts).toEqual(ports(alphaUp.forwards.forwards))

    // Both spellings on the fast path, and oclif's parse (--debug skips the fast path).
    for (const args of [
      ['--release', 'beta'],
      ['--release=beta'],
      ['--release', 'beta', '--debug'],
    ]) {
      const betaStatus = await statusJson(args)
      expect(betaStatus.supervisor, args.join(' ')).toEqual({pid: betaPid, running: true})
      expect(betaStatus.forwards.every((f) => f.state === 'ready')).toBe(true)
      expect(ports(betaStatus.forwards)).toEqual(ports(betaUp.forwards.forwards))
      // --next-free moved every port of beta's off alpha's.
      expect(ports(betaStatus.forwards).some((port) => alphaPorts.includes(port))).toBe(false)
    }
    // GENIRO_DEV_RELEASE, as every other --release reads it.
    expect((await statusJson([], {GENIRO_DEV_RELEASE: 'beta'})).supervisor.pid).toBe(betaPid)

    // The default release has no forwards of its own here.
    expect((await statusJson([])).supervisor).toEqual({pid: null, running: false})
  }, 240_000)

  it('down --release beta stops beta’s forwards and leaves alpha’s running', async () => {
    const down = await cli(['down', '--release', 'beta', '--json'])
    expect(down.code, down.stderr).toBe(0)
    expect(JSON.parse(down.stdout)).toMatchObject({forwardsStopped: true, releaseRemoved: true})
    await waitFor(() => !alive(betaPid), 10_000, `beta's supervisor ${betaPid} to exit`)

    expect(alive(alphaPid)).toBe(true)
    const alphaStatus = await statusJson(['--release', 'alpha'])
    expect(alphaStatus.supervisor).toEqual({pid: alphaPid, running: true})
    expect(alphaStatus.forwards.every((f) => f.state === 'ready')).toBe(true)
    expect(ports(alphaStatus.forwards)).toEqual(alphaPorts)
    expect((await statusJson(['--release', 'beta'])).supervisor.running).toBe(false)
  }, 120_000)

  it("forwards reach the release's own Service port when the values move it", async () => {
    // The fake port-forward, like kubectl, refuses a port the Service does not have: before the
    // forwards read the Service's ports, web's tunnel asked for 4173 here and failed.
    const up = await cli([
      'up',
      '--release',
      'gamma',
      '--set',
      'web.service.port=8080',
      '--only',
      'web',
      '--next-free',
      '--json',
    ])
    expect(up.code, up.stderr).toBe(0)
    const status = await statusJson(['--release', 'gamma'])
    expect(status.forwards).toEqual([
      expect.objectContaining({
        name: 'web',
        remotePort: 8080,
        target: 'svc/gamma-geniro-web',
        state: 'ready',
      }),
    ])
    const down = await cli(['down', '--release', 'gamma', '--json'])
    expect(down.code, down.stderr).toBe(0)
  }, 240_000)

  it('refuses a release name that could name a path, exit 2, on the fast path and oclif', async () => {
    for (const args of [
      ['forward', 'status', '--release', '../x'],
      ['forward', 'status', '--release=../x'],
      ['forward', 'status', '--release', '../x', '--debug'],
      ['forward', 'status', '--release', 'a/b', '--json'],
      ['forward', 'stop', '--release', '../x'],
      ['forward', 'logs', '--release', '../x'],
    ]) {
      const run = await cli(args)
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2)
      expect(run.stderr + run.stdout).toMatch(/invalid release name/)
    }
    expect(alive(alphaPid)).toBe(true)
  })
})
