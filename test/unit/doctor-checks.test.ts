import {describe, expect, it} from 'vitest'
import {
  checkClusterProviders,
  checkCompose,
  checkEngine,
  checkHelm,
  checkKubectl,
  checkNode,
  checkPorts,
  summarize,
  type CheckResult,
  type ToolProbe,
} from '../../src/core/doctor.js'
import {FORWARD_TARGETS} from '../../src/core/port-table.js'
import {parseVersion} from '../../src/core/version.js'

const found = (version: string): ToolProbe => ({state: 'found', version})
const missing: ToolProbe = {state: 'missing', hint: 'install it'}
const today = new Date('2026-11-26T00:00:00Z')

/** Every non-pass result must tell the user what to do. */
function expectActionable(result: CheckResult) {
  if (result.status !== 'pass') expect(result.fix, result.message).toBeTruthy()
}

describe('engine check', () => {
  it('tells Docker Desktop from the Linux engine', () => {
    const desktop = checkEngine({
      state: 'running',
      engine: 'docker',
      version: '28.5.1',
      operatingSystem: 'Docker Desktop',
    })
    const linux = checkEngine({
      state: 'running',
      engine: 'docker',
      version: '20.10.24',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    })
    expect(desktop.message).toMatch(/^Docker Desktop 28\.5\.1/)
    expect(desktop.details).toMatchObject({desktop: true})
    expect(linux.message).toMatch(/^Docker Engine \(Linux\) 20\.10\.24/)
    expect(linux.status).toBe('pass')
  })

  it('names Podman', () => {
    expect(
      checkEngine({state: 'running', engine: 'podman', version: '5.4.2', operatingSystem: 'fedora'})
        .message,
    ).toMatch(/^Podman 5\.4\.2/)
  })

  it('fails with a start hint when the engine is unreachable', () => {
    const result = checkEngine({
      state: 'unreachable',
      engine: 'docker',
      message: 'Cannot connect',
      host: 'unix:///var/run/docker.sock',
    })
    expect(result.status).toBe('fail')
    expect(result.message).toContain('unix:///var/run/docker.sock')
    expect(result.fix).toMatch(/systemctl start docker|Docker Desktop/)
  })

  it('fails with the install hint when no engine exists', () => {
    expect(checkEngine({state: 'missing', hint: 'install Docker'})).toMatchObject({
      status: 'fail',
      fix: 'install Docker',
    })
  })
})

describe('compose check', () => {
  it.each([
    ['docker compose', '2.26.1', 'pass'],
    ['podman compose', '2.33.1', 'pass'],
    ['docker-compose', '1.29.2', 'fail'],
  ] as const)('%s %s → %s', (variant, version, status) => {
    const result = checkCompose({state: 'found', variant, version})
    expect(result.status).toBe(status)
    expectActionable(result)
  })

  it('fails when there is none', () => {
    expect(checkCompose({state: 'missing', hint: 'install compose'}).status).toBe('fail')
  })
})

describe('cluster provider check', () => {
  it('passes with either tool', () => {
    expect(checkClusterProviders(found('kind v0.27.0'), missing).status).toBe('pass')
    expect(checkClusterProviders(missing, found('v1.34.0')).status).toBe('pass')
  })

  it('fails with neither, and with the chosen provider missing', () => {
    const neither = checkClusterProviders(missing, missing)
    expect(neither.status).toBe('fail')
    expectActionable(neither)
    const chosen = checkClusterProviders(found('kind v0.27.0'), missing, 'minikube')
    expect(chosen.status).toBe('fail')
    expect(chosen.message).toContain('--provider minikube')
  })

  it('reports both versions in details', () => {
    expect(checkClusterProviders(found('kind v0.27.0 go1.24'), found('v1.34.0')).details).toEqual({
      kind: '0.27.0',
      minikube: '1.34.0',
    })
  })
})

describe('helm check', () => {
  it('passes Helm 4', () => {
    expect(checkHelm(found('v4.1.4'), today)).toMatchObject({status: 'pass', details: {major: 4}})
  })

  it('warns on Helm 3 that its security support ended', () => {
    const result = checkHelm(found('v3.17.2'), today)
    expect(result).toMatchObject({status: 'warn', details: {major: 3}})
    expect(result.message).toMatch(/security support ended in November 2026/)
    expect(checkHelm(found('v3.17.2'), new Date('2026-06-01')).message).toMatch(
      /ends in November 2026/,
    )
  })

  it('fails a Helm 3 older than the minimum and Helm 2', () => {
    expect(checkHelm(found('v3.9.0'), today).status).toBe('fail')
    expect(checkHelm(found('v2.17.0'), today).status).toBe('fail')
  })

  it('fails when helm is missing or its version unreadable', () => {
    expect(checkHelm(missing, today)).toMatchObject({status: 'fail', fix: 'install it'})
    expect(checkHelm(found('garbage'), today).status).toBe('fail')
  })
})

describe('kubectl check', () => {
  const k8s134 = parseVersion('1.34.0')!
  it('passes within one minor either way', () => {
    for (const version of ['v1.33.1', 'v1.34.5', 'v1.35.0']) {
      expect(checkKubectl(found(version), k8s134).status).toBe('pass')
    }
  })

  it('warns with the skew beyond that', () => {
    const result = checkKubectl(found('v1.32.3'), k8s134)
    expect(result.status).toBe('warn')
    expect(result.message).toMatch(/2 minor versions behind Kubernetes 1\.34/)
    expect(result.details).toMatchObject({skew: -2})
    expectActionable(result)
  })

  it('fails when kubectl is missing', () => {
    expect(checkKubectl(missing, k8s134).status).toBe('fail')
  })
})

describe('node check', () => {
  it.each([
    ['20.18.0', 'fail'],
    ['20.20.2', 'warn'],
    ['22.12.0', 'pass'],
    ['24.9.0', 'pass'],
  ] as const)('Node %s → %s', (version, status) => {
    const result = checkNode(version)
    expect(result.status).toBe(status)
    expectActionable(result)
  })
})

describe('ports check', () => {
  const required = FORWARD_TARGETS.filter((target) => !target.optional)
  it('passes when every offset port is free', () => {
    const result = checkPorts(required.map((target) => ({target, takenOn: []})))
    expect(result.status).toBe('pass')
    expect(result.message).toBe('all 7 offset ports are free')
  })

  it('warns, naming the port, its component and its holder', () => {
    const probes = required.map((target) =>
      target.component === 'postgresql'
        ? {
            target,
            takenOn: ['127.0.0.1', '0.0.0.0'],
            holder: {pid: 12, description: 'postgres (pid 12)'},
          }
        : {target, takenOn: []},
    )
    const result = checkPorts(probes)
    expect(result.status).toBe('warn')
    expect(result.message).toContain('15432 (postgresql) held by postgres (pid 12)')
    expect(result.fix).toContain('--next-free')
  })
})

describe('summarize', () => {
  it('is ok unless something failed', () => {
    const pass = checkNode('22.12.0')
    const warn = checkNode('20.20.2')
    const fail = checkNode('18.0.0')
    expect(summarize([pass, warn])).toMatchObject({ok: true, summary: {pass: 1, warn: 1, fail: 0}})
    expect(summarize([pass, fail]).ok).toBe(false)
  })
})
