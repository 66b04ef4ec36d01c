/**
 * A --set value may be an API key: `up`, `up --json`, `up --dry-run --json`, `values` and a
 * parse error never print it, and the values file geniro-dev generates for Helm exists only
 * while Helm runs (success, failure, Ctrl-C). Run as a user runs it (bin/run.js) against the
 * fakes of test/fakes, with a private TMPDIR so the private per-user dir is this test's own.
 */
import {execFileSync, spawn} from 'node:child_process'
import {existsSync, mkdirSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {GENERATED_VALUES_PREFIX} from '../../src/adapters/values-files.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {BIN, runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

const SECRET = 'sk-SECRET123'
const SET = `secrets.providerKeys.OPENAI_API_KEY=${SECRET}`
const SHOWN = '--set secrets.providerKeys.OPENAI_API_KEY=***'

let environments: FakeEnvironment[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  environments = []
})

interface Setup {
  environment: FakeEnvironment
  env: Record<string, string>
  /** geniro-dev's private per-user dir under this test's TMPDIR. */
  privateDir: string
}

function setup(): Setup {
  const environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
  environments.push(environment)
  const tmp = join(environment.dir, 'tmp')
  mkdirSync(tmp)
  const uid = process.getuid?.() ?? 'user'
  return {
    environment,
    env: {...environment.env, TMPDIR: tmp},
    privateDir: join(tmp, `geniro-dev-${uid}`),
  }
}

/** The generated values files left in the private dir. */
function generatedFiles(privateDir: string): string[] {
  if (!existsSync(privateDir)) return []
  return readdirSync(privateDir).filter((name) => name.startsWith(GENERATED_VALUES_PREFIX))
}

function helmUserValues(s: Setup): {secrets?: {providerKeys?: Record<string, string>}} {
  return JSON.parse(
    execFileSync(
      join(s.environment.binDir, 'helm'),
      [
        'get',
        'values',
        'geniro',
        '-n',
        'geniro',
        '--kube-context',
        'kind-geniro-dev',
        '-o',
        'json',
      ],
      {env: s.env, encoding: 'utf8'},
    ),
  )
}

const helmUpgrades = (environment: FakeEnvironment) =>
  environment.calls().filter((call) => call.tool === 'helm' && call.argv[0] === 'upgrade').length

describe('secrets given with --set', () => {
  it('are never printed by up, up --json, up --dry-run --json, values or a parse error, and no values file stays behind', async () => {
    const s = setup()

    const up = await runCli(['up', '--no-forward', '--set', SET], s.env)
    expect(up.code, up.stderr).toBe(0)
    expect(up.stdout + up.stderr).not.toContain(SECRET)
    expect(up.stderr).toContain(SHOWN)
    expect(generatedFiles(s.privateDir)).toEqual([])
    // Helm got the value all the same.
    expect(helmUserValues(s).secrets?.providerKeys?.OPENAI_API_KEY).toBe(SECRET)

    const again = await runCli(['up', '--no-forward', '--json', '--set', SET], s.env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout + again.stderr).not.toContain(SECRET)
    const result = expectJson('up-result.schema.json', again.stdout)
    // What geniro-dev computed is what Helm stored: nothing to do.
    expect(result.releaseAction).toBe('unchanged')
    expect(result.layering.at(-1)).toMatch(/^--set secrets\.providerKeys\.OPENAI_API_KEY=\*\*\* /)
    expect(generatedFiles(s.privateDir)).toEqual([])

    const upgrades = helmUpgrades(s.environment)
    const plan = await runCli(
      ['up', '--no-forward', '--dry-run', '--json', '--set', SET, '--set', 'api.replicaCount=2'],
      s.env,
    )
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout + plan.stderr).not.toContain(SECRET)
    const install = expectJson('up-result.schema.json', plan.stdout).steps.find(
      (step: {command?: string[]}) => step.command?.includes('upgrade'),
    )
    expect(install.command).toContain('<generated values file>')
    expect(generatedFiles(s.privateDir)).toEqual([])
    expect(helmUpgrades(s.environment)).toBe(upgrades)

    const values = await runCli(['values', '--set', SET], s.env)
    expect(values.code, values.stderr).toBe(0)
    expect(values.stdout + values.stderr).not.toContain(SECRET)
    expect(values.stdout).toMatch(/^# \d+ secret values are shown as "\*\*\*"/)
    expect(values.stdout).toContain('OPENAI_API_KEY: "***"')
    const valuesJson = await runCli(['values', '--json', '--set', SET], s.env)
    expect(valuesJson.stdout + valuesJson.stderr).not.toContain(SECRET)
    expect(expectJson('values.schema.json', valuesJson.stdout).redacted).toContain(
      'secrets.providerKeys.OPENAI_API_KEY',
    )
    // Asked for explicitly, they are printed (to pipe into Helm).
    const shown = await runCli(['values', '--show-secrets', '--set', SET], s.env)
    expect(shown.stdout).toContain(`OPENAI_API_KEY: ${SECRET}`)

    for (const args of [
      ['up', '--set', `${SET},bad..key=1`],
      ['up', '--json', '--set', `${SET},bad..key=1`],
      ['values', '--set', `secrets=${SECRET}`, '--set', 'secrets.x=1'],
      ['values', '--set', SECRET],
    ]) {
      const bad = await runCli(args, s.env)
      expect(bad.code, args.join(' ')).toBe(2)
      expect(bad.stdout + bad.stderr).not.toContain(SECRET)
      expect(bad.stdout + bad.stderr).toMatch(/bad --set \\?"/)
    }
    expect(generatedFiles(s.privateDir)).toEqual([])
  })

  it('are not in the command lines --debug prints for each tool', async () => {
    const s = setup()
    const run = await runCli(['up', '--no-forward', '--debug', '--set', SET], s.env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/^\[debug\] \$ kind get clusters$/m)
    expect(run.stderr).toMatch(/^\[debug\] \$ helm upgrade --install geniro /m)
    expect(run.stderr).toMatch(/^\[debug\] {3}exit 0 after \d+ ms: helm upgrade --install /m)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
    expect(helmUserValues(s).secrets?.providerKeys?.OPENAI_API_KEY).toBe(SECRET)
  })

  it('leave no values file behind when Helm fails or is interrupted, and exist only while it runs', async () => {
    const s = setup()
    s.environment.failRelease({component: 'api', logs: 'boom'})
    const failed = await runCli(['up', '--no-forward', '--timeout', '5s', '--set', SET], s.env)
    expect(failed.code, failed.stderr).toBe(5)
    expect(failed.stdout + failed.stderr).not.toContain(SECRET)
    expect(helmUpgrades(s.environment)).toBe(1)
    expect(generatedFiles(s.privateDir)).toEqual([])

    const child = spawn(process.execPath, [BIN, 'up', '--no-forward', '--set', SET], {
      env: {...s.env, PATH: s.env.PATH!, GENIRO_FAKE_HELM_WAIT_MS: '60000'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const deadline = Date.now() + 30_000
    while (helmUpgrades(s.environment) < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100))
    // Helm is running: the file is there, for the current user only.
    const during = generatedFiles(s.privateDir)
    expect(during).toHaveLength(1)
    expect(statSync(join(s.privateDir, during[0]!)).mode & 0o777).toBe(0o600)
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, output).toBe(130)
    expect(output).not.toContain(SECRET)
    expect(generatedFiles(s.privateDir)).toEqual([])
  })
})
