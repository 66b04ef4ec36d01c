import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import type {CheckResult, DoctorReport} from '../../src/core/doctor.js'
import {FAKES_DIR, ensureNodeImage} from '../support/fake-env.js'
import {runCli} from '../support/run-cli.js'
import {expectMatches} from '../support/schemas.js'
import {DOCKER_CONFIG_WITH_COMPOSE, TOOLS, dockerCli, pathWith} from '../support/toolchain.js'

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

/** A node image kind 0.27 (the toolchain's) published, present on the test engine (see below). */
const LOCAL_NODE_IMAGE = 'kindest/node:v1.29.14'

/**
 * The environment of every doctor run. The registry probe (`docker manifest inspect`) is the
 * docker CLI's own request: a proxy on a closed loopback port keeps it from leaving the
 * machine, which is what an offline machine sees.
 */
function doctorEnv(tools: Record<string, string>): Record<string, string> {
  return {
    PATH: pathWith(tools),
    DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE,
    DOCKER_HOST: inject('dockerHost'),
    HTTPS_PROXY: OFFLINE_PROXY,
    HTTP_PROXY: OFFLINE_PROXY,
    GENIRO_DEV_NODE_IMAGE: LOCAL_NODE_IMAGE,
  }
}

const OFFLINE_PROXY = 'http://127.0.0.1:9'

function dockerOnTestEngine(args: string[]): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: inject('dockerHost')},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

beforeAll(() => {
  // Nothing can be pulled here: the test image stands in for the node image, locally.
  dockerOnTestEngine(['tag', ensureNodeImage(inject('dockerHost')), LOCAL_NODE_IMAGE])
})

afterAll(() => {
  dockerOnTestEngine(['rmi', LOCAL_NODE_IMAGE])
})

async function doctor(
  tools: Record<string, string>,
  env: Record<string, string> = {},
  args: string[] = [],
) {
  const run = await runCli(['doctor', '--json', ...args], {...doctorEnv(tools), ...env})
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
    expectMatches('doctor-report.schema.json', report)
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
    expect(byId('kind-node-image')).toMatchObject({
      status: 'pass',
      details: {kind: '0.27.0', image: LOCAL_NODE_IMAGE, builtFor: '0.27.0'},
    })
    // Present on the engine, but no registry answers: the cluster can be made offline.
    expect(byId('node-image')).toMatchObject({
      status: 'warn',
      details: {image: LOCAL_NODE_IMAGE, local: true, registry: 'unreachable'},
    })
    expect(byId('node-image').message).toContain('127.0.0.1:9')
    expect(run.stderr).toBe('')
  })

  it('fails, with fixes, where `up` would fail: kind 0.27 and a 1.34 image nobody can pull', async () => {
    // The machine of the issue: the pinned image for the default Kubernetes, not on the engine.
    const env = doctorEnv(fullToolchain())
    delete env.GENIRO_DEV_NODE_IMAGE
    const run = await runCli(['doctor', '--json'], env)
    const report = JSON.parse(run.stdout) as DoctorReport
    const byId = (id: string) => report.checks.find((check) => check.id === id) as CheckResult
    expectMatches('doctor-report.schema.json', report)
    expect(run.code).toBe(1)
    expect(byId('kind-node-image')).toMatchObject({
      status: 'fail',
      message:
        'kind 0.27.0 is older than Kubernetes 1.34: kindest/node:v1.34.0 needs kind v0.30.0 or newer',
    })
    expect(byId('kind-node-image').fix).toMatch(/or pass --k8s-version 1\.29 /)
    expect(byId('node-image')).toMatchObject({
      status: 'fail',
      details: {image: 'kindest/node:v1.34.0', local: false, registry: 'unreachable'},
    })
    expect(byId('node-image').fix).toMatch(/docker load -i node\.tar/)
  })

  it('checks minikube against the Kubernetes version, and no kind image with --provider minikube', async () => {
    const state = mkdtempSync(join(tmpdir(), 'gdev-doctor-minikube-'))
    try {
      const tools = {
        ...fullToolchain(),
        minikube: join(FAKES_DIR, 'minikube'),
        node: process.execPath,
      }
      const {report, byId} = await doctor(
        tools,
        {GENIRO_FAKE_STATE: state, GENIRO_FAKE_MINIKUBE_VERSION: 'v1.36.0'},
        ['--provider', 'minikube'],
      )
      expectMatches('doctor-report.schema.json', report)
      expect(byId('minikube-kubernetes')).toMatchObject({
        status: 'warn',
        details: {minikube: '1.36.0', targetKubernetes: '1.34.0'},
      })
      expect(byId('minikube-kubernetes').fix).toMatch(/^upgrade minikube to v1\.37\.0 or newer/)
      expect(byId('kind-node-image')).toBeUndefined()
      expect(byId('node-image')).toBeUndefined()
    } finally {
      rmSync(state, {recursive: true, force: true})
    }
  })

  it('fails the engine check, with a fix, when the engine is stopped', async () => {
    const {run, report, byId} = await doctor(fullToolchain(), {
      DOCKER_HOST: 'unix:///tmp/gdev-stopped-engine.sock',
    })
    expectMatches('doctor-report.schema.json', report)
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

describe('the offline path: a node image carried over with docker save / docker load', () => {
  const image = 'kindest/node:v1.28.15'
  const dir = mkdtempSync(join(tmpdir(), 'gdev-offline-'))

  afterAll(() => {
    try {
      dockerOnTestEngine(['rmi', image])
    } catch {
      // Not loaded.
    }
    rmSync(dir, {recursive: true, force: true})
  })

  it('doctor fails without the image, and only warns once it is loaded', async () => {
    // "The connected machine": the image exists there, and is saved to a file.
    dockerOnTestEngine(['tag', ensureNodeImage(inject('dockerHost')), image])
    const tarball = join(dir, 'node.tar')
    dockerOnTestEngine(['save', '-o', tarball, image])
    dockerOnTestEngine(['rmi', image])
    const missing = await doctor(fullToolchain(), {GENIRO_DEV_NODE_IMAGE: image})
    expect(missing.byId('node-image')).toMatchObject({status: 'fail', details: {local: false}})
    // "The offline machine": docker load, as the README's Offline section says.
    dockerOnTestEngine(['load', '-i', tarball])
    const loaded = await doctor(fullToolchain(), {GENIRO_DEV_NODE_IMAGE: image})
    expect(loaded.byId('node-image')).toMatchObject({
      status: 'warn',
      details: {image, local: true, registry: 'unreachable'},
    })
    // kind 0.25 published it, so the toolchain's kind 0.27 runs it.
    expect(loaded.byId('kind-node-image')).toMatchObject({
      status: 'pass',
      details: {builtFor: '0.25.0'},
    })
    expect(loaded.run.code).toBe(0)
  })
})

describe('geniro-dev doctor as a person reads it', () => {
  it('prints one row a check and a summary line, progress on stderr', async () => {
    const run = await runCli(['doctor'], doctorEnv(fullToolchain()))
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^ {2}\[ok {2}\] Container engine {6}Docker Engine \(Linux\)/m)
    expect(run.stdout).toMatch(
      /^ {2}\[warn\] Node image {12}kindest\/node:v1\.29\.14 is present locally/m,
    )
    expect(run.stdout).toMatch(/^9 checks: \d passed, \d warned, 0 failed$/m)
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
