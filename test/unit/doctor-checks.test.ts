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
import {
  checkKindNodeImage,
  checkMinikubeKubernetes,
  checkNodeImage,
} from '../../src/core/doctor-images.js'
import {OFFSET_PORTS} from '../../src/core/port-table.js'
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
  const required = OFFSET_PORTS.filter((forward) => !forward.optional)
  it('passes when every offset port is free', () => {
    const result = checkPorts(required.map((forward) => ({forward, takenOn: []})))
    expect(result.status).toBe('pass')
    expect(result.message).toBe('all 7 offset ports are free')
  })

  it('warns, naming the port, its component and its holder', () => {
    const probes = required.map((forward) =>
      forward.component === 'postgresql'
        ? {
            forward,
            takenOn: ['127.0.0.1', '0.0.0.0'],
            holder: {pid: 12, description: 'postgres (pid 12)'},
          }
        : {forward, takenOn: []},
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

describe('kind against the node image check', () => {
  const kind = (version: string) => ({
    state: 'found' as const,
    version: `kind ${version} go1.24.4 linux/amd64`,
  })

  it('fails a kind older than the image’s Kubernetes minor, naming the kind to install', () => {
    const result = checkKindNodeImage(kind('v0.27.0'), 'kindest/node:v1.34.0')
    expectActionable(result)
    expect(result).toMatchObject({
      id: 'kind-node-image',
      status: 'fail',
      message:
        'kind 0.27.0 is older than Kubernetes 1.34: kindest/node:v1.34.0 needs kind v0.30.0 or newer',
      details: {kind: '0.27.0', image: 'kindest/node:v1.34.0', builtFor: '0.30.0'},
    })
    // The newest pinned minor kind 0.27 published itself is the other way out.
    expect(result.fix).toMatch(/^install kind v0\.30\.0 or newer .* or pass --k8s-version 1\.29 /)
  })

  it('warns when the image was built by a newer kind that this one precedes', () => {
    const result = checkKindNodeImage(kind('v0.27.0'), 'kindest/node:v1.32.8')
    expectActionable(result)
    expect(result.status).toBe('warn')
    expect(result.message).toContain('published with kind v0.30.0')
  })

  it('passes the kind that published the image, and a newer one', () => {
    expect(checkKindNodeImage(kind('v0.30.0'), 'kindest/node:v1.34.0')).toMatchObject({
      status: 'pass',
      message: 'kind 0.30.0 runs kindest/node:v1.34.0 (published with kind v0.30.0)',
    })
    expect(checkKindNodeImage(kind('v0.31.0'), 'kindest/node:v1.34.0').status).toBe('pass')
  })

  it('passes, saying so, an image it cannot match to a kind release', () => {
    const result = checkKindNodeImage(kind('v0.27.0'), 'registry.example/node:mine')
    expect(result.status).toBe('pass')
    expect(result.message).toContain('not an image geniro-dev can match')
  })
})

describe('node image check', () => {
  const image = 'kindest/node:v1.34.0'
  const registry = {
    found: {state: 'found' as const, detail: 'the registry has it'},
    missing: {
      state: 'missing' as const,
      detail: 'no such manifest: docker.io/kindest/node:v1.34.0',
    },
    unreachable: {
      state: 'unreachable' as const,
      detail:
        'failed to configure transport: error pinging v2 registry: Get "https://registry-1.docker.io/v2/": proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused',
    },
    unknown: {state: 'unknown' as const, detail: "docker: 'manifest' is not a docker command."},
  }

  it('passes an image present locally, or one its registry has', () => {
    expect(checkNodeImage({image, local: true, registry: registry.found}).status).toBe('pass')
    expect(checkNodeImage({image, local: false, registry: registry.found})).toMatchObject({
      status: 'pass',
      message: 'kindest/node:v1.34.0 is not present locally; its registry has it, `up` pulls it',
    })
  })

  it('warns, offline with the image present: the cluster can start, the chart’s images need loading', () => {
    const result = checkNodeImage({image, local: true, registry: registry.unreachable})
    expectActionable(result)
    expect(result.status).toBe('warn')
    expect(result.message).toContain(
      'present locally, but no registry answered (failed to configure',
    )
    expect(result.fix).toMatch(/global\.imageRegistry/)
  })

  it('fails, with the ways to get it, when neither the engine nor a registry has it', () => {
    const offline = checkNodeImage({image, local: false, registry: registry.unreachable})
    expectActionable(offline)
    expect(offline.status).toBe('fail')
    expect(offline.fix).toMatch(
      /docker load -i node\.tar.*--node-image.*docker pull kindest\/node:v1\.34\.0/,
    )
    const missing = checkNodeImage({image, local: false, registry: registry.missing})
    expect(missing.status).toBe('fail')
    expect(missing.fix).toMatch(/--k8s-version/)
  })

  it('warns when the registry could not be asked', () => {
    const result = checkNodeImage({image, local: false, registry: registry.unknown})
    expectActionable(result)
    expect(result.status).toBe('warn')
    expect(checkNodeImage({image, registry: registry.unknown}).message).toContain(
      'could not be looked up locally',
    )
  })
})

describe('minikube against the Kubernetes version check', () => {
  const minikube = (version: string) => ({state: 'found' as const, version})
  const k8s = (text: string) => parseVersion(text)!

  it('passes a version within minikube’s range', () => {
    expect(checkMinikubeKubernetes(minikube('v1.37.0'), k8s('1.34.0'))).toMatchObject({
      id: 'minikube-kubernetes',
      status: 'pass',
      message: 'minikube 1.37.0 supports Kubernetes 1.34 (1.28.0 to 1.34.0)',
    })
  })

  it('warns about a minor newer than minikube knows, naming the minikube that does', () => {
    const result = checkMinikubeKubernetes(minikube('v1.36.0'), k8s('1.34.0'))
    expectActionable(result)
    expect(result.status).toBe('warn')
    expect(result.fix).toMatch(
      /^upgrade minikube to v1\.37\.0 or newer .* or pass --k8s-version 1\.33$/,
    )
  })

  it('fails a version below minikube’s oldest (minikube refuses it)', () => {
    const result = checkMinikubeKubernetes(minikube('v1.37.0'), k8s('1.27.3'))
    expectActionable(result)
    expect(result).toMatchObject({status: 'fail'})
    expect(result.fix).toBe('pass --k8s-version 1.28 or newer')
  })

  it('warns about a minikube older than any it knows', () => {
    expect(checkMinikubeKubernetes(minikube('v1.29.0'), k8s('1.34.0')).status).toBe('warn')
  })
})
