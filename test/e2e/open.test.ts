/**
 * `geniro-dev open` as a user runs it: the forwarded URL from the running supervisor's state,
 * handed to a fake `xdg-open` on PATH that records its argument, or printed when there is no
 * browser; refused while the forwards are not running.
 */
import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

let environment: FakeEnvironment | undefined

afterEach(async () => {
  if (environment) await runCli(['forward', 'stop'], environment.env)
  environment?.cleanup()
  environment = undefined
})

/** A fake xdg-open first on PATH: it writes the URL it was given to a file. */
function fakeXdgOpen(env: FakeEnvironment, exitCode = 0): string {
  const record = join(env.dir, 'xdg-open.args')
  const script = join(env.binDir, 'xdg-open')
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${record}'\nexit ${exitCode}\n`)
  chmodSync(script, 0o755)
  return record
}

describe('geniro-dev open', () => {
  it('opens the forwarded URL with xdg-open, prints it without a browser, refuses without forwards', async () => {
    environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    const env = environment
    const refused = await runCli(['open'], env.env)
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/^Error: the forwards of release "geniro" are not running/)
    expect(refused.stderr).toMatch(/geniro-dev forward/)

    const up = await runCli(['up', '--json', '--only', 'web,api'], env.env)
    expect(up.code, up.stderr).toBe(0)
    const record = fakeXdgOpen(env)

    const opened = await runCli(['open'], {...env.env, DISPLAY: ':0'})
    expect(opened.code, opened.stderr).toBe(0)
    expect(opened.stdout.trim()).toBe('Opened http://localhost:14173/')
    expect(readFileSync(record, 'utf8')).toBe('http://localhost:14173/\n')

    const api = await runCli(['open', 'api', '--json'], {...env.env, DISPLAY: ':0'})
    expect(expectJson('open-result.schema.json', api.stdout)).toEqual({
      component: 'api',
      url: 'http://localhost:15000/health/check',
      opened: false,
      reason: 'asked to print it',
    })
    expect(readFileSync(record, 'utf8')).toBe('http://localhost:14173/\n')

    // No display: the URL is printed, and xdg-open (a text browser in this terminal) not run.
    const headless = await runCli(['open', 'web'], env.env)
    expect(headless.code).toBe(0)
    expect(headless.stdout.trim()).toBe('http://localhost:14173/')
    expect(headless.stderr).toMatch(/Not opened in a browser: no display/)
    // xdg-open failing: the URL is printed with why.
    fakeXdgOpen(env, 3)
    const failing = await runCli(['open'], {...env.env, DISPLAY: ':0'})
    expect(failing.code).toBe(0)
    expect(failing.stdout.trim()).toBe('http://localhost:14173/')
    expect(failing.stderr).toMatch(/xdg-open failed \(exit 3\)/)

    const notForwarded = await runCli(['open', 'keycloak'], {...env.env, DISPLAY: ':0'})
    expect(notForwarded.code).toBe(3)
    expect(notForwarded.stderr).toMatch(/^Error: there is no forward for keycloak/)
    const unknown = await runCli(['open', 'postgresql'], env.env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^Error: cannot open "postgresql"/)
  })

  it('without xdg-open on PATH, prints the URL', async () => {
    environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    const up = await runCli(['up', '--json', '--only', 'web'], environment.env)
    expect(up.code, up.stderr).toBe(0)
    expect(existsSync(join(environment.binDir, 'xdg-open'))).toBe(false)
    const run = await runCli(['open', '--print'], {...environment.env, DISPLAY: ':0'})
    expect(run.code).toBe(0)
    expect(run.stdout).toBe('http://localhost:14173/\n')
    const noOpener = await runCli(['open'], {...environment.env, DISPLAY: ':0'})
    expect(noOpener.code).toBe(0)
    expect(noOpener.stdout).toBe('http://localhost:14173/\n')
    expect(noOpener.stderr).toMatch(/Not opened in a browser: xdg-open is not installed/)
  })
})
