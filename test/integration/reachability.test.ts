/**
 * Bridge-mode reachability on real engines, real networks and real containers: a Compose-like
 * PostgreSQL (the locally built image) on a bridge network of its own publishes its port on
 * 0.0.0.0, and a uniquely named network stands in for kind's (KIND_EXPERIMENTAL_DOCKER_NETWORK).
 * Probes run from throwaway busybox containers on that network, as pods on a kind node would.
 *
 * The shared test engine runs with the userland proxy on (the default). The proxy-off case
 * needs a daemon of its own: a second dockerd in the host's network namespace would rewrite the
 * shared DOCKER iptables chains and fight over docker0, so it runs in a network namespace of its
 * own (PrivateDockerd's netns option) with `--userland-proxy=false`.
 *
 * Traffic goes only between containers this file created, on networks it created.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import path from 'node:path'
import getPort from 'get-port'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {Docker} from '../../src/adapters/docker.js'
import {DEFAULT_PROBE_IMAGE, parseProbeOutput} from '../../src/core/tcp-probe.js'
import {exec, type Exec} from '../../src/adapters/exec.js'
import {Minikube} from '../../src/adapters/minikube.js'
import {InterruptedError, ToolFailedError} from '../../src/core/errors.js'
import {kindNetworkName} from '../../src/core/host-address.js'
import {
  UnreachableError,
  attachFallback,
  checkGatewayPath,
  explainUnreachable,
} from '../../src/services/reachability.js'
import {dockerOn, ensureBusyboxImage} from '../support/busybox-image.js'
import {PrivateDockerd} from '../support/dockerd.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {ensurePostgresImage} from '../support/postgres-image.js'
import {dockerCli} from '../support/toolchain.js'

const sharedHost = inject('dockerHost')
const id = randomBytes(4).toString('hex')
const PASSWORD = 'reach-test-password'
/** nc's connect timeout inside the probe container. */
const TIMEOUT_SECONDS = 3

function execWith(extra: Record<string, string | undefined>): Exec {
  return (file, args, options) => exec(file, args, {...options, env: {...extra, ...options?.env}})
}

/** A ULA /64 of its own, so the dual-stack test network never overlaps another. */
function randomUla(): string {
  const [a, b, c] = [randomBytes(1), randomBytes(2), randomBytes(2)].map((x) => x.toString('hex'))
  return `fd${a}:${b}:${c}:1::/64`
}

/** The Compose-like side: a network, and PostgreSQL on it publishing `published` on 0.0.0.0. */
interface Stack {
  composeNetwork: string
  kindNetwork: string
  db: string
  published: number
}

async function startStack(host: string, published: number): Promise<Stack> {
  const stack: Stack = {
    composeNetwork: `gdev-reach-compose-${id}`,
    kindNetwork: kindNetworkName({KIND_EXPERIMENTAL_DOCKER_NETWORK: `gdev-reach-kind-${id}`}),
    db: `gdev-reach-db-${id}`,
    published,
  }
  const pg = await ensurePostgresImage(host, 'pg15')
  dockerOn(host, ['network', 'create', stack.composeNetwork])
  // As kind creates its network: a bridge with an IPv6 ULA subnet beside the IPv4 one.
  dockerOn(host, ['network', 'create', '--ipv6', '--subnet', randomUla(), stack.kindNetwork])
  dockerOn(host, [
    'run',
    '-d',
    '--name',
    stack.db,
    '--network',
    stack.composeNetwork,
    '--publish',
    `0.0.0.0:${published}:5432`,
    '--env',
    `POSTGRES_PASSWORD=${PASSWORD}`,
    pg,
  ])
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      dockerOn(host, ['exec', stack.db, 'pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432'])
      return stack
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

function removeStack(host: string, stack: Partial<Stack>): void {
  if (stack.db) dockerOn(host, ['rm', '--force', '--volumes', stack.db])
  for (const network of [stack.kindNetwork, stack.composeNetwork]) {
    if (network) dockerOn(host, ['network', 'rm', network])
  }
}

/** Probe containers still on a network (they are named geniro-dev-probe-<random>). */
function probesOn(host: string, network: string): string[] {
  return dockerOn(host, [
    'ps',
    '--all',
    '--filter',
    `network=${network}`,
    '--filter',
    'name=geniro-dev-probe-',
    '--format',
    '{{.Names}}',
  ])
    .split('\n')
    .filter(Boolean)
}

/** An address in the network's subnet that no container holds: ARP goes unanswered. */
function unusedAddress(host: string, network: string): string {
  const subnet = dockerOn(host, [
    'network',
    'inspect',
    '--format',
    '{{range .IPAM.Config}}{{.Subnet}} {{end}}',
    network,
  ])
    .split(' ')
    .find((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s))!
  const [a, b, c] = subnet.split('.')
  return `${a}.${b}.${c}.250`
}

async function elapsed<T>(run: () => Promise<T>): Promise<{value: T; seconds: number}> {
  const start = performance.now()
  const value = await run()
  return {value, seconds: (performance.now() - start) / 1000}
}

describe('the probe reads both busybox nc dialects', () => {
  const mark = (code: number) => `geniro-dev-probe exit=${code}`
  it.each([
    // Debian's busybox-static (small nc), as seen here.
    ['', 0, 'connected'],
    ["nc: can't connect to remote host (172.26.0.2): Connection refused", 1, 'refused'],
    ['nc: timed out', 1, 'timeout'],
    ["nc: bad address 'nosuch'", 1, 'unresolved'],
    ["nc: can't connect to remote host (172.26.0.9): No route to host", 1, 'unreachable'],
    // The busybox images' nc (NC_110_COMPAT) with -vv; glibc and musl strerror words.
    ['172.19.0.1 (172.19.0.1:5439) open\nsent 0, rcvd 0', 0, 'connected'],
    ['nc: 172.19.0.1 (172.19.0.1:5440): Connection refused\nsent 0, rcvd 0', 1, 'refused'],
    ['nc: 172.19.0.1 (172.19.0.1:5439): Connection timed out\nsent 0, rcvd 0', 1, 'timeout'],
    ['nc: 172.19.0.1 (172.19.0.1:5439): Operation timed out', 1, 'timeout'],
    ['nc: 172.19.0.9 (172.19.0.9:5439): Host is unreachable', 1, 'unreachable'],
  ])('%j (exit %i) is %s', (said, code, reason) => {
    const probe = parseProbeOutput(`${said}\n${mark(code)}\n`)
    expect(probe).toMatchObject({reason, reachable: reason === 'connected'})
  })

  it('without the marker line the container never ran the probe', () => {
    expect(parseProbeOutput('sh: nc: not found\n')).toBeUndefined()
  })

  it('pins the default probe image', () => {
    expect(DEFAULT_PROBE_IMAGE).toBe('busybox:1.37.0')
  })
})

describe('the gateway path on the shared engine (userland proxy on)', () => {
  const docker = new Docker(execWith({DOCKER_HOST: sharedHost}), dockerCli())
  let image = ''
  let stack: Stack

  beforeAll(async () => {
    image = ensureBusyboxImage(sharedHost)
    stack = await startStack(sharedHost, await getPort())
  })

  afterAll(() => {
    if (stack) removeStack(sharedHost, stack)
  })

  it('finds the IPv4 gateway of a dual-stack network, and none for a missing network', async () => {
    const gateway = await docker.networkGateway(stack.kindNetwork)
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.1$/)
    expect(await docker.networkGateway(`gdev-reach-none-${id}`)).toBeUndefined()
    expect(await docker.isDesktop()).toBe(false)
  })

  it('reaches the port PostgreSQL publishes on 0.0.0.0 at the kind gateway', async () => {
    const gateway = (await docker.networkGateway(stack.kindNetwork))!
    const probe = await checkGatewayPath(docker, {
      network: stack.kindNetwork,
      host: gateway,
      port: stack.published,
      image,
      timeoutSeconds: TIMEOUT_SECONDS,
    })
    expect(probe).toEqual({
      reachable: true,
      reason: 'connected',
      detail: `connected to ${gateway}:${stack.published}`,
    })
    expect(probesOn(sharedHost, stack.kindNetwork)).toEqual([])
  })

  it('a closed port is refused at once, and explained as nothing listening there', async () => {
    const gateway = (await docker.networkGateway(stack.kindNetwork))!
    const closed = await getPort()
    const {value: probe, seconds} = await elapsed(() =>
      checkGatewayPath(docker, {
        network: stack.kindNetwork,
        host: gateway,
        port: closed,
        image,
        timeoutSeconds: 20,
      }),
    )
    expect(probe).toMatchObject({reachable: false, reason: 'refused'})
    expect(probe.detail).toContain('Connection refused')
    expect(seconds).toBeLessThan(10)
    const why = explainUnreachable(probe, {provider: 'kind', host: gateway, port: closed})
    expect(why.message).toContain(`${gateway}:${closed}`)
    expect(why.message).toContain('no process listens on that published port')
    expect(why.message).not.toContain('timed out')
    expect(why.hint).toContain('docker compose up -d')
  })

  it('says when the port is published on 127.0.0.1 only', () => {
    const why = explainUnreachable(
      {reachable: false, reason: 'refused', detail: 'Connection refused'},
      {provider: 'kind', host: '172.18.0.1', port: 5439, publishedOnLoopbackOnly: true},
    )
    expect(why.message).toContain('127.0.0.1 only')
    expect(why.hint).toContain('0.0.0.0:5439:')
    expect(why.hint).toContain('--attach')
  })

  it('removes the probe container when the caller aborts', async () => {
    const controller = new AbortController()
    const silent = unusedAddress(sharedHost, stack.kindNetwork)
    setTimeout(() => controller.abort(), 1_500)
    const {seconds} = await elapsed(async () => {
      await expect(
        docker.probeTcp({
          network: stack.kindNetwork,
          image,
          host: silent,
          port: 5432,
          timeoutSeconds: 30,
          signal: controller.signal,
        }),
      ).rejects.toBeInstanceOf(InterruptedError)
    })
    expect(seconds).toBeLessThan(15)
    expect(probesOn(sharedHost, stack.kindNetwork)).toEqual([])
  })

  it('fails loudly when the probe cannot run at all', async () => {
    await expect(
      docker.probeTcp({
        network: `gdev-reach-none-${id}`,
        image,
        host: '172.18.0.1',
        port: 5432,
        timeoutSeconds: 1,
      }),
    ).rejects.toBeInstanceOf(ToolFailedError)
  })

  describe('minikube (the fake: a real node container on a network named after the profile)', () => {
    let env: FakeEnvironment
    let minikube: Minikube
    const profile = `gd-reach-${id}`

    beforeAll(() => {
      env = fakeEnvironment({helm: 'helm4', withMinikube: true, dockerHost: sharedHost})
      minikube = new Minikube(execWith(env.env), path.join(env.binDir, 'minikube'))
    })

    afterAll(() => env?.cleanup())

    it('reads host.minikube.internal from the node, and pods reach PostgreSQL there', async () => {
      await minikube.start(profile)
      const address = await minikube.hostAliasAddress(profile)
      // With the docker driver it is the gateway of the profile's network.
      expect(address).toBe(await docker.networkGateway(profile))
      // Idempotent: the alias is written once.
      expect(await minikube.hostAliasAddress(profile)).toBe(address)
      const hosts = dockerOn(sharedHost, ['exec', profile, 'sh', '-c', 'cat /etc/hosts'])
      expect(hosts.split('\n').filter((l) => l.endsWith('\thost.minikube.internal'))).toEqual([
        `${address}\thost.minikube.internal`,
      ])
      expect(env.calls().at(-1)?.argv).toEqual([
        'ssh',
        '-p',
        profile,
        '--',
        'grep',
        'host.minikube.internal',
        '/etc/hosts',
      ])

      // As the bridge asks the provider: the network named after the profile, probed from it.
      expect(minikube.nodeNetwork(profile)).toBe(profile)
      expect(await minikube.hostAddress(profile, {name: profile})).toBe(address)
      expect(await minikube.reachProbe(profile)).toEqual({via: 'network'})

      const probe = await checkGatewayPath(docker, {
        network: profile,
        host: address!,
        port: stack.published,
        image,
        timeoutSeconds: TIMEOUT_SECONDS,
      })
      expect(probe).toMatchObject({reachable: true, reason: 'connected'})
    })

    it('a missing profile and a stopped node fail in minikube’s words', async () => {
      const missing = minikube.hostAliasAddress(`gd-reach-none-${id}`)
      await expect(missing).rejects.toBeInstanceOf(ToolFailedError)
      await expect(missing).rejects.toMatchObject({
        commandExitCode: 85,
        stderrTail: expect.stringContaining('There is no local cluster named'),
      })
      await minikube.start(profile)
      execFileSync(path.join(env.binDir, 'minikube'), ['stop', '-p', profile], {
        env: env.env,
        stdio: 'pipe',
      })
      await expect(minikube.hostAliasAddress(profile)).rejects.toMatchObject({
        commandExitCode: 89,
        stderrTail: expect.stringContaining('must be running'),
      })
    })

    it('a failing remote command is minikube’s exit 1, "ssh: Process exited with status N"', () => {
      execFileSync(path.join(env.binDir, 'minikube'), ['start', '-p', profile], {
        env: env.env,
        stdio: 'pipe',
      })
      let failure: {status: number; stderr: string} | undefined
      try {
        execFileSync(
          path.join(env.binDir, 'minikube'),
          ['ssh', '-p', profile, '--', 'grep', 'no-such-name', '/etc/hosts'],
          {env: env.env, stdio: 'pipe', encoding: 'utf8'},
        )
      } catch (error) {
        failure = error as {status: number; stderr: string}
      }
      expect(failure?.status).toBe(1)
      expect(failure?.stderr).toBe('ssh: Process exited with status 1\n')
    })
  })
})

describe('userland proxy off (a dockerd of its own, in its own network namespace)', () => {
  const dockerd = new PrivateDockerd({netns: true, extraArgs: ['--userland-proxy=false']})
  const docker = new Docker(execWith({DOCKER_HOST: dockerd.host}), dockerCli())
  let image = ''
  let stack: Stack

  beforeAll(async () => {
    await dockerd.start()
    // Each daemon has its own image store.
    image = ensureBusyboxImage(dockerd.host)
    // Its own namespace: the Compose default 5439 is free there whatever the host runs.
    stack = await startStack(dockerd.host, 5439)
  })

  afterAll(async () => {
    try {
      if (stack) removeStack(dockerd.host, stack)
    } finally {
      await dockerd.stop()
    }
    expect(execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'})).not.toContain(dockerd.netns)
  })

  it('runs in a namespace of its own, with the proxy off', () => {
    expect(dockerd.netns).toMatch(/^gdev-np-[0-9a-f]{8}$/)
    expect(execFileSync('ip', ['netns', 'list'], {encoding: 'utf8'})).toContain(dockerd.netns)
    expect(dockerOn(dockerd.host, ['ps', '--format', '{{.Ports}}'])).toContain('0.0.0.0:5439->5432')
  })

  it('times out at the gateway, blames the proxy; --attach reaches it; down detaches', async () => {
    const gateway = (await docker.networkGateway(stack.kindNetwork))!
    const {value: probe, seconds} = await elapsed(() =>
      checkGatewayPath(docker, {
        network: stack.kindNetwork,
        host: gateway,
        port: stack.published,
        image,
        timeoutSeconds: TIMEOUT_SECONDS,
      }),
    )
    expect(probe).toMatchObject({reachable: false, reason: 'timeout'})
    expect(seconds).toBeGreaterThanOrEqual(TIMEOUT_SECONDS)
    const why = explainUnreachable(probe, {provider: 'kind', host: gateway, port: 5439})
    expect(why.message).toContain('userland proxy is probably off')
    expect(why.message).toContain('"userland-proxy": false')
    expect(why.hint).toContain('--attach')

    const attached = await attachFallback(docker, {
      network: stack.kindNetwork,
      container: stack.db,
      containerPort: 5432,
      image,
      timeoutSeconds: TIMEOUT_SECONDS,
    })
    const address = await docker.containerAddress(stack.db, stack.kindNetwork)
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(attached).toEqual({
      address,
      port: 5432,
      connected: 'connected',
      probe: {reachable: true, reason: 'connected', detail: `connected to ${address}:5432`},
    })
    // A re-run changes nothing.
    expect(
      await attachFallback(docker, {
        network: stack.kindNetwork,
        container: stack.db,
        containerPort: 5432,
        image,
        timeoutSeconds: TIMEOUT_SECONDS,
      }),
    ).toMatchObject({address, connected: 'already'})

    // `down` detaches, and twice is harmless.
    expect(await docker.disconnectNetwork(stack.kindNetwork, stack.db)).toBe('disconnected')
    expect(await docker.disconnectNetwork(stack.kindNetwork, stack.db)).toBe('not-connected')
    expect(await docker.containerAddress(stack.db, stack.kindNetwork)).toBeUndefined()
    const after = await docker.probeTcp({
      network: stack.kindNetwork,
      image,
      host: address!,
      port: 5432,
      timeoutSeconds: TIMEOUT_SECONDS,
    })
    expect(after.reachable).toBe(false)
    expect(probesOn(dockerd.host, stack.kindNetwork)).toEqual([])
  })

  it('an attach whose probe fails is undone, and says why', async () => {
    const attempt = attachFallback(docker, {
      network: stack.kindNetwork,
      container: stack.db,
      containerPort: 5999,
      image,
      timeoutSeconds: TIMEOUT_SECONDS,
    })
    await expect(attempt).rejects.toBeInstanceOf(UnreachableError)
    await expect(attempt).rejects.toMatchObject({
      probe: {reachable: false, reason: 'refused'},
      message: expect.stringContaining('it was disconnected again'),
      hint: expect.stringContaining('nothing listens on port 5999'),
    })
    expect(Object.keys((await docker.containerNetworks(stack.db))!)).toEqual([stack.composeNetwork])
  })

  it('an interrupted attach is undone too', async () => {
    const controller = new AbortController()
    // The real engine throughout; the signal fires right after the container is attached.
    const interrupting: Pick<
      Docker,
      'probeTcp' | 'connectNetwork' | 'disconnectNetwork' | 'containerAddress'
    > = {
      connectNetwork: async (...args) => {
        const result = await docker.connectNetwork(...args)
        controller.abort()
        return result
      },
      containerAddress: (...args) => docker.containerAddress(...args),
      probeTcp: (input) => docker.probeTcp(input),
      disconnectNetwork: (...args) => docker.disconnectNetwork(...args),
    }
    await expect(
      attachFallback(interrupting, {
        network: stack.kindNetwork,
        container: stack.db,
        containerPort: 5432,
        image,
        timeoutSeconds: TIMEOUT_SECONDS,
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(InterruptedError)
    expect(Object.keys((await docker.containerNetworks(stack.db))!)).toEqual([stack.composeNetwork])
  })

  it('connectNetwork says "already" for an attached container', async () => {
    expect(await docker.connectNetwork(stack.kindNetwork, stack.db)).toBe('connected')
    expect(await docker.connectNetwork(stack.kindNetwork, stack.db)).toBe('already')
    expect(await docker.disconnectNetwork(stack.kindNetwork, stack.db)).toBe('disconnected')
  })
})
