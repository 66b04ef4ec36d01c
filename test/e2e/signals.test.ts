/**
 * SIGTERM and a closed terminal's SIGHUP stop `up` as Ctrl-C does (test/e2e/up.test.ts): the
 * running tool's process group is stopped, nothing is left running, and the exit code says
 * which signal it was (128 + its number). Fakes of kind, kubectl and helm; the real engine.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {fakeLeftovers, processesMentioning} from '../support/processes.js'
import {BIN, runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

let environments: FakeEnvironment[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  environments = []
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a signal stops up cleanly, with its own exit code', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s while helm waits: exit %i, no child process left', async (signal, expected) => {
    const environment = fakeEnvironment({
      helm: 'helm4',
      withMinikube: false,
      dockerHost: inject('dockerHost'),
    })
    environments.push(environment)
    environment.failRelease({component: 'api'})
    const child = spawn(process.execPath, [BIN, 'up', '--no-forward'], {
      env: {...environment.env, GENIRO_FAKE_HELM_WAIT_MS: '60000'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const deadline = Date.now() + 30_000
    const helmStarted = () =>
      environment.calls().some((call) => call.tool === 'helm' && call.argv[0] === 'upgrade')
    while (!helmStarted() && Date.now() < deadline) await sleep(100)
    expect(helmStarted()).toBe(true)
    await sleep(500)
    child.kill(signal)
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, stderr).toBe(expected)
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(fakeLeftovers(environment.stateDir)).toEqual([])
  })
})

describe('a signal stops the status fast path too', () => {
  it.each([
    ['SIGHUP', 129],
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s while a tool hangs: exit %i, the tool stopped', async (signal, expected) => {
    // A kind that never answers: status waits on it, then the signal comes.
    const bin = mkdtempSync(join(tmpdir(), 'gdev-hang-'))
    const marker = `${process.pid}.${expected}`
    writeFileSync(join(bin, 'kind'), `#!/bin/sh\nexec sleep ${marker}\n`, {mode: 0o755})
    const child = spawn(process.execPath, [BIN, 'status'], {
      env: {...process.env, PATH: `${bin}:/usr/bin:/bin`},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const hanging = () => processesMentioning(`sleep ${marker}`).length > 0
    const deadline = Date.now() + 15_000
    while (!hanging() && Date.now() < deadline) await sleep(50)
    expect(hanging()).toBe(true)
    const killed = Date.now()
    child.kill(signal)
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, stderr).toBe(expected)
    // At once: the hanging tool is stopped, not waited out (its probe timeout is 15 s).
    expect(Date.now() - killed).toBeLessThan(5_000)
    expect(stderr).not.toMatch(/\n\s+at /)
    await sleep(200)
    expect(processesMentioning(`sleep ${marker}`)).toEqual([])
  })
})

describe('Ctrl-C while the forwards start', () => {
  it('stops the starting supervisor and its tunnels, and exits 130 as an interruption', async () => {
    const environment = fakeEnvironment({
      helm: 'helm4',
      withMinikube: false,
      dockerHost: inject('dockerHost'),
    })
    environments.push(environment)
    expect((await runCli(['up', '--no-forward', '--json'], environment.env)).code).toBe(0)
    // The API's pod is not running: its tunnel keeps failing and retrying, nothing gets ready.
    environment.failRelease({component: 'api', reason: 'ContainerCreating'})
    const child = spawn(process.execPath, [BIN, 'forward'], {
      env: environment.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const stateRoot = environment.env.GENIRO_DEV_STATE_DIR!
    const starting = () => processesMentioning(stateRoot).length > 0
    const deadline = Date.now() + 15_000
    while (!starting() && Date.now() < deadline) await sleep(50)
    expect(starting()).toBe(true)
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, stderr).toBe(130)
    expect(stderr).toContain('interrupted while the forwards started')
    await sleep(200)
    expect(processesMentioning(stateRoot).map((p) => p.cmdline)).toEqual([])
    const status = await runCli(['forward', 'status', '--json'], environment.env)
    expect(expectJson('forward-status.schema.json', status.stdout).supervisor.running).toBe(false)
  })
})
