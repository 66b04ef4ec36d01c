/**
 * The published package as a user gets it: `npm pack` of this checkout's build, installed with
 * npm into a fresh directory (its dependencies from the registry, as a user's install would),
 * then the installed `geniro-dev` run from there. Proves the bundle carries everything it needs
 * (only oclif's plugins are installed beside it) and finds the chart and templates from its own
 * install location.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli, runCollecting} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let work: string
let installed: string
let tarballFiles: string[]

/** The installed bin through its npm shim, with only Node on PATH and a private HOME. */
function installedCli(args: string[], env: Record<string, string> = {}) {
  return runCollecting(join(work, 'node_modules', '.bin', 'geniro-dev'), args, {
    cwd: work,
    env: {
      HOME: join(work, 'home'),
      PATH: dirname(process.execPath),
      GENIRO_DEV_STATE_DIR: join(work, 'state'),
      OCLIF_SKIP_UPDATE_CHECK: '1',
      ...env,
    },
  })
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'geniro-dev-package-'))
  // The build is npm test's; --ignore-scripts keeps prepack from rebuilding dist/ under
  // other suites and postpack from deleting the manifest.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as [{filename: string; files: {path: string}[]}]
  tarballFiles = packed[0].files.map((file) => file.path)
  writeFileSync(join(work, 'package.json'), JSON.stringify({private: true}))
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed[0].filename)],
    {cwd: work, stdio: ['ignore', 'pipe', 'pipe']},
  )
  installed = join(work, 'node_modules', 'geniro-dev')
}, 300_000)

afterAll(() => {
  if (work) rmSync(work, {recursive: true, force: true})
})

describe('the npm package', () => {
  it('ships the bundle, the chart and the templates, and no sources or tests', () => {
    expect(tarballFiles).toContain('bin/run.js')
    expect(tarballFiles).toContain('dist/cli/main.js')
    expect(tarballFiles).toContain('dist/forward/forward-supervisor.js')
    expect(tarballFiles).toContain('dist/root-help.json')
    expect(tarballFiles).toContain('oclif.manifest.json')
    expect(tarballFiles).toContain('helm/geniro/Chart.yaml')
    expect(tarballFiles).toContain('templates/isolated-values.yaml')
    expect(tarballFiles.some((file) => file.startsWith('dist/chunks/'))).toBe(true)
    expect(tarballFiles.filter((file) => /^(src|test)\//.test(file))).toEqual([])
  })

  it('installs only oclif plugins beside it: everything else is in the bundle', () => {
    const installedPackages = readdirSync(join(work, 'node_modules')).filter(
      (name) => !name.startsWith('.'),
    )
    for (const bundled of ['yaml', 'listr2', 'pg', 'get-port']) {
      expect(installedPackages).not.toContain(bundled)
    }
  })

  it('answers --help, a command help (oclif) and --version', async () => {
    const help = await installedCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^ {2}doctor +Check that this machine/m)
    const doctor = await installedCli(['doctor', '--help'])
    expect(doctor.stderr).toBe('')
    expect(doctor.code).toBe(0)
    expect(doctor.stdout).toContain('$ geniro-dev doctor --k8s-version 1.31 --json')
    const version = await installedCli(['--version'])
    expect(version.stdout).toMatch(/^geniro-dev\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
  })

  it('status --json answers in JSON with a documented exit code', async () => {
    // No kind or minikube on this PATH: the documented "tool missing" answer.
    const status = await installedCli(['status', '--json'])
    expect(status.code).toBe(4)
    expect(JSON.parse(status.stdout).error).toMatchObject({kind: 'toolMissing', exitCode: 4})
  })

  it('forward status reads its state from the install', async () => {
    const forward = await installedCli(['forward', 'status'])
    expect(forward).toMatchObject({code: 0, stderr: ''})
    expect(forward.stdout).toBe('No forwards are running.\n')
    const json = await installedCli(['forward', 'status', '--json'])
    expect(expectJson('forward-status.schema.json', json.stdout)).toMatchObject({forwards: []})
  })

  it('reads the values template from inside the install (values), as the checkout does', async () => {
    const values = await installedCli(['values', '--mode', 'isolated', '--json'])
    expect(values.stderr).toBe('')
    expect(values.code).toBe(0)
    const fromCheckout = await runCli(['values', '--mode', 'isolated', '--json'])
    expect(expectJson('values.schema.json', values.stdout)).toEqual(
      expectJson('values.schema.json', fromCheckout.stdout),
    )
    expect(readdirSync(join(installed, 'templates'))).toContain('isolated-values.yaml')
  })
})
