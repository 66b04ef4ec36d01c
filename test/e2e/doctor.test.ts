import {readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import type {CheckResult, DoctorReport} from '../../src/core/doctor.js'
import {runCli} from '../support/run-cli.js'
import {DOCKER_CONFIG_WITH_COMPOSE, TOOLS, dockerCli, pathWith} from '../support/toolchain.js'

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/doctor-report.schema.json', import.meta.url), 'utf8'),
)
const validate = new Ajv({allErrors: true}).compile(schema)

/** A machine with every tool, Helm 4 and a kubectl that matches Kubernetes 1.34. */
function fullToolchain(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    docker: dockerCli(),
    helm: TOOLS.helm4,
    kubectl: TOOLS.kubectl134,
    kind: TOOLS.kind,
    ...overrides,
  }
}

async function doctor(
  tools: Record<string, string>,
  env: Record<string, string> = {},
  args: string[] = [],
) {
  const run = await runCli(['doctor', '--json', ...args], {
    PATH: pathWith(tools),
    DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE,
    DOCKER_HOST: inject('dockerHost'),
    ...env,
  })
  const report = JSON.parse(run.stdout) as DoctorReport
  const byId = (id: string) => report.checks.find((check) => check.id === id) as CheckResult
  return {run, report, byId}
}

describe('geniro-dev doctor --json on this machine’s real tools', () => {
  let holder: Server

  beforeAll(async () => {
    // A real listener on the API's offset port, as a stray dev server would be.
    holder = createServer()
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject)
      holder.listen({host: '127.0.0.1', port: 15000}, resolve)
    })
  })

  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())))

  it('passes with a running engine and every tool, in the documented shape', async () => {
    const {run, report, byId} = await doctor(fullToolchain())
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    expect(run.code).toBe(0)
    expect(report.ok).toBe(true)
    expect(byId('engine')).toMatchObject({
      status: 'pass',
      details: {engine: 'docker', desktop: false},
    })
    expect(byId('engine').message).toMatch(/^Docker Engine \(Linux\) \d+\.\d+/)
    expect(byId('compose')).toMatchObject({
      status: 'pass',
      details: {variant: 'docker compose', version: '2.26.1'},
    })
    expect(byId('cluster-provider')).toMatchObject({
      status: 'pass',
      details: {kind: '0.27.0', minikube: null},
    })
    expect(byId('helm')).toMatchObject({status: 'pass', details: {major: 4, version: '4.1.4'}})
    expect(byId('kubectl')).toMatchObject({
      status: 'pass',
      details: {targetKubernetes: '1.34', skew: 0},
    })
    expect(run.stderr).toBe('')
  })

  it('fails the engine check, with a fix, when the engine is stopped', async () => {
    const {run, report, byId} = await doctor(fullToolchain(), {
      DOCKER_HOST: 'unix:///tmp/gdev-stopped-engine.sock',
    })
    expect(validate(report)).toBe(true)
    expect(run.code).toBe(1)
    expect(report.ok).toBe(false)
    expect(byId('engine').status).toBe('fail')
    expect(byId('engine').message).toContain('unix:///tmp/gdev-stopped-engine.sock')
    expect(byId('engine').fix).toMatch(/systemctl start docker/)
  })

  it('detects Helm 3 and warns that its security support ended', async () => {
    const {run, byId} = await doctor(fullToolchain({helm: TOOLS.helm3}))
    expect(run.code).toBe(0)
    expect(byId('helm')).toMatchObject({status: 'warn', details: {major: 3, version: '3.17.2'}})
    expect(byId('helm').message).toMatch(/security support (ended|ends) in November 2026/)
  })

  it('warns about kubectl skew against --k8s-version', async () => {
    const {byId} = await doctor(fullToolchain({kubectl: TOOLS.kubectl132}))
    expect(byId('kubectl')).toMatchObject({status: 'warn', details: {skew: -2}})
    const matched = await doctor(fullToolchain({kubectl: TOOLS.kubectl132}), {}, [
      '--k8s-version',
      '1.32',
    ])
    expect(matched.byId('kubectl').status).toBe('pass')
  })

  it('reports the port held by a real listener, naming the holder', async () => {
    const {byId} = await doctor(fullToolchain())
    const ports = byId('ports')
    expect(ports.status).toBe('warn')
    expect(ports.message).toMatch(/15000 \(api\) held by node \(pid \d+\)/)
    const api = (
      ports.details?.ports as Array<{port: number; free: boolean; holder: {pid: number} | null}>
    ).find((port) => port.port === 15000)
    expect(api).toMatchObject({free: false, holder: {pid: process.pid}})
  })

  it('reports a missing tool with its install hint and exits 1', async () => {
    const tools = fullToolchain()
    delete (tools as Partial<typeof tools>).helm
    const {run, byId} = await doctor(tools)
    expect(run.code).toBe(1)
    expect(byId('helm')).toMatchObject({status: 'fail', message: 'helm not found on PATH'})
    expect(byId('helm').fix).toContain('helm.sh')
  })

  it('honours GENIRO_DEV_PROVIDER as the --provider fallback', async () => {
    const {run, byId} = await doctor(fullToolchain(), {GENIRO_DEV_PROVIDER: 'minikube'})
    expect(run.code).toBe(1)
    expect(byId('cluster-provider').message).toContain('--provider minikube was chosen')
    expect(byId('cluster-provider').fix).toContain('minikube')
  })
})

describe('geniro-dev doctor as a person reads it', () => {
  it('prints one row a check and a summary line, progress on stderr', async () => {
    const run = await runCli(['doctor'], {
      PATH: pathWith(fullToolchain()),
      DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE,
      DOCKER_HOST: inject('dockerHost'),
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^ {2}\[ok {2}\] Container engine {6}Docker Engine \(Linux\)/m)
    expect(run.stdout).toMatch(/^7 checks: \d passed, \d warned, 0 failed$/m)
    expect(run.stderr).toBe('Checking this machine…\n')
  })

  it('refuses a Kubernetes version below the chart floor: exit 2, one line and a hint', async () => {
    const run = await runCli(['doctor', '--k8s-version', '1.25'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      "Error: --k8s-version 1.25.0 is below the chart's minimum 1.27.0\nHint: use Kubernetes 1.27.0 or newer\n",
    )
    expect(run.stdout).toBe('')
    const json = await runCli(['doctor', '--k8s-version', 'banana', '--json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({kind: 'usage', exitCode: 2})
  })
})
