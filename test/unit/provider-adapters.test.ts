/**
 * What the adapters ask their tools and how they read the answers, in-process over a recording
 * exec: the release's Services with their ports (forwards reach them), and each provider's
 * answers for bridge mode (node network, host address, how to probe).
 */
import {describe, expect, it} from 'vitest'
import {Docker} from '../../src/adapters/docker.js'
import {Kind} from '../../src/adapters/kind.js'
import {Kubectl} from '../../src/adapters/kubectl.js'
import {Minikube} from '../../src/adapters/minikube.js'
import {ToolFailedError, UserError} from '../../src/core/errors.js'
import {RecordingExec} from '../support/recording-exec.js'

const service = (
  name: string,
  component: string | undefined,
  ports: Array<{name?: string; port: number}>,
  clusterIP = '10.96.0.10',
) => ({
  metadata: {name, labels: component ? {'app.kubernetes.io/component': component} : {}},
  spec: {clusterIP, ports: ports.map((p) => ({...p, protocol: 'TCP', targetPort: p.name}))},
})

describe('Kubectl.releaseServices', () => {
  it("lists the release's Services by its instance label, with their named ports, headless ones left out", async () => {
    const recorder = new RecordingExec().on(['kubectl', 'get', 'services'], {
      stdout: JSON.stringify({
        items: [
          service('alpha-geniro-web', 'web', [{name: 'http', port: 8080}]),
          service('alpha-geniro-qdrant', 'qdrant', [
            {name: 'http', port: 6333},
            {name: 'grpc', port: 6334},
          ]),
          service('alpha-geniro-qdrant-headless', 'qdrant', [{name: 'http', port: 6333}], 'None'),
          service('someone-else', undefined, [{port: 80}]),
        ],
      }),
    })
    const services = await new Kubectl(recorder.exec).releaseServices('alpha', 'ns', 'kind-x')
    expect(services).toEqual([
      {name: 'alpha-geniro-web', component: 'web', ports: [{name: 'http', port: 8080}]},
      {
        name: 'alpha-geniro-qdrant',
        component: 'qdrant',
        ports: [
          {name: 'http', port: 6333},
          {name: 'grpc', port: 6334},
        ],
      },
    ])
    expect(recorder.argvs()).toEqual([
      [
        'kubectl',
        'get',
        'services',
        '--context',
        'kind-x',
        '--namespace',
        'ns',
        '--selector',
        'app.kubernetes.io/instance=alpha',
        '--output',
        'json',
      ],
    ])
  })

  it('reads an unnamed port as named ""; output that is not JSON is the tool failing', async () => {
    const unnamed = new RecordingExec().on(['kubectl'], {
      stdout: JSON.stringify({items: [service('g-api', 'api', [{port: 5000}])]}),
    })
    expect(await new Kubectl(unnamed.exec).releaseServices('g', 'ns', 'kind-x')).toEqual([
      {name: 'g-api', component: 'api', ports: [{name: '', port: 5000}]},
    ])
    const garbled = new RecordingExec().on(['kubectl'], {stdout: 'Error from server'})
    await expect(
      new Kubectl(garbled.exec).releaseServices('g', 'ns', 'kind-x'),
    ).rejects.toBeInstanceOf(ToolFailedError)
  })
})

const dockerInfo = (operatingSystem: string) => ({
  stdout: JSON.stringify({ServerVersion: '28.5.0', OperatingSystem: operatingSystem, Name: 'x'}),
})

describe('kind in bridge mode', () => {
  const kind = (recorder: RecordingExec) =>
    new Kind(recorder.exec, 'kind', new Docker(recorder.exec))

  it('one network for every cluster: "kind", or KIND_EXPERIMENTAL_DOCKER_NETWORK', () => {
    const adapter = kind(new RecordingExec())
    expect(adapter.nodeNetwork('a', {})).toBe('kind')
    expect(adapter.nodeNetwork('a', {KIND_EXPERIMENTAL_DOCKER_NETWORK: ' lab '})).toBe('lab')
  })

  it('the host is the network gateway on a Linux engine, host.docker.internal on Docker Desktop', async () => {
    const linux = new RecordingExec().on(['docker', 'info'], dockerInfo('Debian GNU/Linux 12'))
    expect(await kind(linux).hostAddress('a', {name: 'kind', gateway: '172.18.0.1'})).toBe(
      '172.18.0.1',
    )
    const desktop = new RecordingExec().on(['docker', 'info'], dockerInfo('Docker Desktop'))
    expect(await kind(desktop).hostAddress('a', {name: 'kind'})).toBe('host.docker.internal')
    const none = kind(linux).hostAddress('a', {name: 'lab'})
    await expect(none).rejects.toBeInstanceOf(UserError)
    await expect(none).rejects.toThrow('the Docker network "lab" has no IPv4 gateway')
  })

  it('is probed from a container on the node network, without asking any tool', async () => {
    const recorder = new RecordingExec()
    expect(await kind(recorder).reachProbe()).toEqual({via: 'network'})
    expect(recorder.calls).toEqual([])
  })
})

describe('minikube in bridge mode', () => {
  const profiles = (driver: string) => ({
    stdout: JSON.stringify({
      invalid: [],
      valid: [{Name: 'dev', Status: 'OK', Config: {Driver: driver, Nodes: [{IP: '192.168.39.2'}]}}],
    }),
  })

  it("the profile's own network; a VM driver is probed from a pod, a container driver from the network", async () => {
    expect(new Minikube(new RecordingExec().exec).nodeNetwork('dev')).toBe('dev')
    for (const [driver, probe] of [
      ['kvm2', {via: 'pod', reason: 'driver kvm2'}],
      ['qemu2', {via: 'pod', reason: 'driver qemu2'}],
      ['docker', {via: 'network'}],
      ['podman', {via: 'network'}],
    ] as const) {
      const recorder = new RecordingExec().on(['minikube', 'profile', 'list'], profiles(driver))
      expect(await new Minikube(recorder.exec).reachProbe('dev'), driver).toEqual(probe)
    }
  })

  it('the host is host.minikube.internal as the node resolves it; none is an error naming the profile', async () => {
    const found = new RecordingExec().on(['minikube', 'ssh'], {
      stdout: '192.168.39.1\thost.minikube.internal\n',
    })
    expect(await new Minikube(found.exec).hostAddress('dev', {name: 'dev'})).toBe('192.168.39.1')
    expect(found.argvs()).toEqual([
      ['minikube', 'ssh', '-p', 'dev', '--', 'grep', 'host.minikube.internal', '/etc/hosts'],
    ])
    // grep finds nothing: minikube ssh reports the remote exit 1.
    const none = new RecordingExec().on(['minikube', 'ssh'], {
      exitCode: 1,
      stderr: 'ssh: Process exited with status 1',
    })
    await expect(new Minikube(none.exec).hostAddress('dev', {name: 'dev'})).rejects.toThrow(
      /cannot tell the address of host.minikube.internal in the minikube profile "dev"/,
    )
  })
})
