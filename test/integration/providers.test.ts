import {existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, join} from 'node:path'
import {describe, expect, inject, it} from 'vitest'
import {parse} from 'yaml'
import {Docker} from '../../src/adapters/docker.js'
import {
  exec,
  stderrTail,
  type Exec,
  type ExecOptions,
  type ExecResult,
} from '../../src/adapters/exec.js'
import {Kind} from '../../src/adapters/kind.js'
import {Kubeconfig} from '../../src/adapters/kubeconfig.js'
import {Minikube} from '../../src/adapters/minikube.js'
import type {ClusterSpec} from '../../src/core/cluster.js'
import {
  InterruptedError,
  TimeoutError,
  ToolFailedError,
  UsageError,
  UserError,
} from '../../src/core/errors.js'
import {parseTargetKubernetes} from '../../src/core/kubernetes.js'
import {TOOLS, dockerCli, requireTool} from '../support/toolchain.js'

// ---------------------------------------------------------------------------------------------
// Canned outputs, copied from the real tools (the first suite checks kind's, docker's and
// kubectl's against the real binaries).

/** `kind get clusters` / `kind get nodes` with nothing to list: stderr, exit 0. */
const KIND_NO_CLUSTERS = 'No kind clusters found.'
const KIND_NO_NODES = (cluster: string) => `No kind nodes found for cluster "${cluster}".`
const KIND_CREATE_OK = [
  'Creating cluster "geniro-dev" ...',
  ' ✓ Ensuring node image (kindest/node:v1.34.0) 🖼',
  ' ✓ Preparing nodes 📦',
  ' ✓ Writing configuration 📜',
  ' ✓ Starting control-plane 🕹️',
  ' ✓ Installing CNI 🔌',
  ' ✓ Installing StorageClass 💾',
  ' ✓ Waiting ≤ 2m0s for control-plane = Ready ⏳',
  ' • Ready after 15s 💚',
  'Set kubectl context to "kind-geniro-dev"',
].join('\n')
const KIND_ALREADY_EXISTS = [
  'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "geniro-dev"',
].join('\n')
const DOCKER_NO_SUCH_CONTAINER = (name: string) => `Error: No such container: ${name}`
const KUBECTL_NO_CURRENT_CONTEXT = 'error: current-context is not set'

/** `minikube profile list -o json`, trimmed of the (long) Config object. */
function minikubeProfiles(valid: Array<[string, string]>, invalid: string[] = []): string {
  const profile = ([name, status]: [string, string]) => ({
    Name: name,
    Status: status,
    Config: {
      Name: name,
      Driver: 'docker',
      KubernetesConfig: {KubernetesVersion: 'v1.34.0'},
      // minikube's own shape: one control-plane node with the address it gave the node.
      Nodes: [{Name: '', IP: '192.168.49.2', Port: 8443, ControlPlane: true, Worker: true}],
    },
    Active: false,
    ActiveKubeContext: false,
  })
  return JSON.stringify({
    invalid: invalid.map((name) => ({Name: name, Status: '', Config: null, Active: false})),
    valid: valid.map(profile),
  })
}

// ---------------------------------------------------------------------------------------------
// A recording exec seam that answers from canned replies, with the real seam's semantics:
// an aborted signal is an InterruptedError, a non-zero exit outside okExitCodes a ToolFailedError.

interface Call {
  command: string
  options: ExecOptions
}
interface Reply {
  stdout?: string
  stderr?: string
  exitCode?: number
}
type Responder = (command: string, call: Call) => Reply | undefined

function recordingExec(respond: Responder): {exec: Exec; calls: Call[]; commands: () => string[]} {
  const calls: Call[] = []
  const fake: Exec = async (file, args, options = {}) => {
    const command = [basename(file), ...args].join(' ')
    const call = {command, options}
    calls.push(call)
    if (options.signal?.aborted) throw new InterruptedError(`interrupted \`${command}\``)
    const reply = respond(command, call)
    if (!reply) throw new Error(`unexpected command: ${command}`)
    const result: ExecResult = {
      command,
      exitCode: reply.exitCode ?? 0,
      stdout: reply.stdout ?? '',
      stderr: reply.stderr ?? '',
    }
    if (result.exitCode !== 0 && !options.okExitCodes?.includes(result.exitCode)) {
      throw new ToolFailedError(
        command,
        result.exitCode,
        stderrTail(result.stderr || result.stdout),
      )
    }
    return result
  }
  return {exec: fake, calls, commands: () => calls.map((call) => call.command)}
}

/** kubectl's current context, as `kubectl config` keeps it, plus kind's switch on create. */
function fakeKubeconfig(initial: string | undefined) {
  const state = {current: initial}
  const respond = (command: string): Reply | undefined => {
    if (command === 'kubectl config current-context') {
      return state.current === undefined
        ? {exitCode: 1, stderr: KUBECTL_NO_CURRENT_CONTEXT}
        : {stdout: state.current}
    }
    const use = /^kubectl config use-context (.+)$/.exec(command)
    if (use) {
      state.current = use[1]
      return {stdout: `Switched to context "${use[1]}".`}
    }
    if (command === 'kubectl config unset current-context') {
      state.current = undefined
      return {stdout: 'Property "current-context" unset.'}
    }
    return undefined
  }
  return {state, respond}
}

const CONFIG_DIR = join(tmpdir(), 'gdev-providers-fixed')
const spec = (version: string, extra: Partial<ClusterSpec> = {}): ClusterSpec => ({
  name: 'geniro-dev',
  kubernetesVersion: parseTargetKubernetes(version),
  ...extra,
})

function kindWith(respond: Responder, options: {configDir?: string; readyTimeoutMs?: number} = {}) {
  const seam = recordingExec(respond)
  const kind = new Kind(seam.exec, 'kind', new Docker(seam.exec), {
    configDir: options.configDir ?? mkdtempSync(join(tmpdir(), 'gdev-kindcfg-')),
    readyTimeoutMs: options.readyTimeoutMs,
    readyPollMs: 10,
  })
  return {kind, ...seam}
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

/** The exec seam with a fixed environment, as a user's shell would give it. */
function execWith(env: Record<string, string | undefined>): Exec {
  return (file, args, options) => exec(file, args, {...options, env: {...env, ...options?.env}})
}

// ---------------------------------------------------------------------------------------------

describe('the kind provider against the real kind and a real Docker engine', () => {
  const engine = () => execWith({DOCKER_HOST: inject('dockerHost')})

  it('reports a cluster that does not exist as absent', async () => {
    const kind = new Kind(engine(), requireTool(TOOLS.kind), new Docker(engine(), dockerCli()))
    expect(await kind.installed()).toBe(true)
    expect(await kind.clusters()).toEqual([])
    expect(await kind.state('geniro-dev')).toBe('absent')
  })

  it('is not installed when the binary is missing', async () => {
    expect(await new Kind(exec, '/nonexistent/kind').installed()).toBe(false)
  })

  it('prints what the canned replies of these tests copy', async () => {
    const kind = requireTool(TOOLS.kind)
    const clusters = await engine()(kind, ['get', 'clusters'])
    expect(clusters).toMatchObject({exitCode: 0, stdout: '', stderr: KIND_NO_CLUSTERS})
    const nodes = await engine()(kind, ['get', 'nodes', '--name', 'geniro-dev'])
    expect(nodes).toMatchObject({exitCode: 0, stdout: '', stderr: KIND_NO_NODES('geniro-dev')})
    const inspect = await engine()(
      dockerCli(),
      ['container', 'inspect', '--format', '{{.State.Running}}', 'geniro-dev-control-plane'],
      {okExitCodes: [1]},
    )
    expect(inspect.exitCode).toBe(1)
    expect(inspect.stderr).toMatch(/No such container: geniro-dev-control-plane/)
  })

  it('treats a listed cluster whose control-plane container is gone as stopped (real docker)', async () => {
    const real = engine()
    const mixed: Exec = (file, args, options) =>
      basename(file) === 'kind' && args.join(' ') === 'get clusters'
        ? Promise.resolve({
            command: 'kind get clusters',
            exitCode: 0,
            stdout: 'geniro-dev',
            stderr: '',
          })
        : real(file, args, options)
    const kind = new Kind(mixed, 'kind', new Docker(mixed, dockerCli()))
    expect(await kind.state('geniro-dev')).toBe('stopped')
  })
})

describe('the kube context adapter against the real kubectl', () => {
  const kubeconfig = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gdev-kubeconfig-')), 'config')
    return {path, adapter: new Kubeconfig(execWith({KUBECONFIG: path}), TOOLS.kubectl134)}
  }

  it('reads no current context from a missing kubeconfig', async () => {
    expect(await kubeconfig().adapter.currentContext()).toBeUndefined()
  })

  it('switches, reads and unsets the current context', async () => {
    const {path, adapter} = kubeconfig()
    const contexts = ['work', 'kind-geniro-dev']
      .map((name) => `- name: ${name}\n  context: {cluster: c-${name}, user: u-${name}}\n`)
      .join('')
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\ncontexts:\n${contexts}current-context: work\n`,
    )
    expect(await adapter.currentContext()).toBe('work')
    await adapter.preservingCurrentContext(() => adapter.useContext('kind-geniro-dev'))
    expect(await adapter.currentContext()).toBe('work')
    await adapter.unsetCurrentContext()
    expect(await adapter.currentContext()).toBeUndefined()
    await adapter.preservingCurrentContext(() => adapter.useContext('kind-geniro-dev'))
    expect(await adapter.currentContext()).toBeUndefined()
    expect(parse(readFileSync(path, 'utf8'))).not.toHaveProperty('current-context', 'work')
  })

  it('reads the API server a context leads to, the first $KUBECONFIG file winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-kubeconfig-'))
    const file = (name: string, server: string) => {
      const path = join(dir, name)
      writeFileSync(
        path,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c-${name}, cluster: {server: "${server}"}}]\ncontexts: [{name: kind-geniro-dev, context: {cluster: c-${name}}}]\n`,
      )
      return path
    }
    const remote = file('remote', 'https://10.255.0.1:6443')
    const local = file('local', 'https://127.0.0.1:40123')
    const read = (kubeconfig: string, context = 'kind-geniro-dev') =>
      new Kubeconfig(execWith({KUBECONFIG: kubeconfig}), TOOLS.kubectl134).server(context)
    expect(await read(`${local}:${remote}`)).toBe('https://127.0.0.1:40123')
    expect(await read(`${remote}:${local}`)).toBe('https://10.255.0.1:6443')
    expect(await read(local, 'nope')).toBeUndefined()
    writeFileSync(join(dir, 'dangling'), 'contexts: [{name: x, context: {cluster: gone}}]\n')
    expect(await read(join(dir, 'dangling'), 'x')).toBeUndefined()
  })
})

describe('provider commands (what a dry run prints)', () => {
  const kind = new Kind(exec, 'kind', new Docker(exec), {configDir: CONFIG_DIR})
  const minikube = new Minikube(exec)

  it('kind creates from the rendered config with the pinned node image', () => {
    expect(kind.createCommand(spec('1.33'))).toEqual([
      'kind',
      'create',
      'cluster',
      '--name',
      'geniro-dev',
      '--config',
      join(CONFIG_DIR, 'kind-geniro-dev.yaml'),
      '--image',
      'kindest/node:v1.33.4',
      '--wait',
      '120s',
    ])
  })

  it('kind runs an exact patch version or an explicit node image', () => {
    expect(kind.createCommand(spec('1.33.2'))).toContain('kindest/node:v1.33.2')
    expect(kind.createCommand(spec('1.33', {nodeImage: 'mirror/node:v1'}))).toContain(
      'mirror/node:v1',
    )
  })

  it('kind refuses a minor it has no image for', () => {
    expect(() => kind.createCommand(spec('1.26'))).toThrow(UsageError)
  })

  it('kind writes its config under a per-user temp directory by default', () => {
    const defaults = new Kind(exec)
    expect(defaults.configPath('geniro-dev')).toBe(
      join(tmpdir(), `geniro-dev-${process.getuid?.()}`, 'kind-geniro-dev.yaml'),
    )
  })

  it('kind starts the node container and deletes with kind', () => {
    expect(kind.startCommand('geniro-dev')).toEqual(['docker', 'start', 'geniro-dev-control-plane'])
    expect(kind.deleteCommand('geniro-dev')).toEqual([
      'kind',
      'delete',
      'cluster',
      '--name',
      'geniro-dev',
    ])
    expect(kind.contextName('geniro-dev')).toBe('kind-geniro-dev')
  })

  it('minikube creates with the chart’s defaults and keeps the context', () => {
    expect(minikube.createCommand(spec('1.34'))).toEqual([
      'minikube',
      'start',
      '-p',
      'geniro-dev',
      '--kubernetes-version=v1.34.0',
      '--cpus=4',
      '--memory=8192',
      '--keep-context',
    ])
  })

  it('minikube takes cpus and memory from the spec', () => {
    expect(minikube.createCommand(spec('1.31.4', {cpus: 6, memoryMiB: 12288}))).toEqual([
      'minikube',
      'start',
      '-p',
      'geniro-dev',
      '--kubernetes-version=v1.31.4',
      '--cpus=6',
      '--memory=12288',
      '--keep-context',
    ])
    expect(() => minikube.createCommand(spec('1.34', {cpus: 0}))).toThrow(UsageError)
  })

  it('minikube restarts and deletes a profile', () => {
    expect(minikube.startCommand('geniro-dev')).toEqual([
      'minikube',
      'start',
      '-p',
      'geniro-dev',
      '--keep-context',
    ])
    expect(minikube.deleteCommand('geniro-dev')).toEqual(['minikube', 'delete', '-p', 'geniro-dev'])
    expect(minikube.contextName('geniro-dev')).toBe('geniro-dev')
  })
})

describe('kind cluster state', () => {
  const listing =
    (clusters: string, running: 'true' | 'false' = 'true'): Responder =>
    (command) => {
      if (command === 'kind get clusters') {
        return clusters ? {stdout: clusters} : {stderr: KIND_NO_CLUSTERS}
      }
      if (command.startsWith('docker container inspect')) return {stdout: running}
      return undefined
    }

  it('matches the exact cluster name, never a prefix or a longer name', async () => {
    expect(await kindWith(listing('geniro-dev-2\ngeniro')).kind.state('geniro-dev')).toBe('absent')
    expect(await kindWith(listing('geniro-dev-2\ngeniro-dev')).kind.state('geniro-dev')).toBe(
      'running',
    )
    expect(await kindWith(listing('geniro-dev')).kind.state('geniro-dev-2')).toBe('absent')
  })

  it('is absent when kind has no clusters at all', async () => {
    const {kind, commands} = kindWith(listing(''))
    expect(await kind.state('geniro-dev')).toBe('absent')
    expect(commands()).toEqual(['kind get clusters'])
  })

  it('is running or stopped by the control-plane container', async () => {
    const running = kindWith(listing('geniro-dev', 'true'))
    expect(await running.kind.state('geniro-dev')).toBe('running')
    expect(running.commands()).toEqual([
      'kind get clusters',
      'docker container inspect --format {{.State.Running}} geniro-dev-control-plane',
    ])
    expect(await kindWith(listing('geniro-dev', 'false')).kind.state('geniro-dev')).toBe('stopped')
  })

  it('is stopped when the cluster is listed but its control-plane container is gone', async () => {
    const {kind} = kindWith((command) =>
      command === 'kind get clusters'
        ? {stdout: 'geniro-dev'}
        : {exitCode: 1, stderr: DOCKER_NO_SUCH_CONTAINER('geniro-dev-control-plane')},
    )
    expect(await kind.state('geniro-dev')).toBe('stopped')
  })

  it('reports a Docker failure instead of guessing', async () => {
    const {kind} = kindWith((command) =>
      command === 'kind get clusters'
        ? {stdout: 'geniro-dev'}
        : {exitCode: 1, stderr: 'permission denied while trying to connect to the Docker daemon'},
    )
    await expect(kind.state('geniro-dev')).rejects.toBeInstanceOf(ToolFailedError)
  })
})

describe('kind create', () => {
  const creating =
    (context: ReturnType<typeof fakeKubeconfig>, create: () => Reply): Responder =>
    (command) => {
      if (command.startsWith('kind create cluster')) {
        const reply = create()
        if (!reply.exitCode) context.state.current = 'kind-geniro-dev' // as kind does
        return reply
      }
      return context.respond(command)
    }

  it('writes the config it names and puts the previous current context back', async () => {
    const context = fakeKubeconfig('work')
    const {kind, commands, calls} = kindWith(creating(context, () => ({stderr: KIND_CREATE_OK})))
    await kind.create(spec('1.34'))
    expect(context.state.current).toBe('work')
    expect(commands()).toEqual([
      'kubectl config current-context',
      kind.createCommand(spec('1.34')).join(' '),
      'kubectl config current-context',
      'kubectl config use-context work',
    ])
    expect(calls[1]!.options.timeoutMs).toBe(10 * 60_000)
    const config = parse(readFileSync(kind.configPath('geniro-dev'), 'utf8')) as {
      name: string
      nodes: Array<{image: string}>
    }
    expect(config.name).toBe('geniro-dev')
    expect(config.nodes[0]!.image).toBe('kindest/node:v1.34.0')
  })

  it('unsets the current context again when there was none', async () => {
    const context = fakeKubeconfig(undefined)
    const {kind, commands} = kindWith(creating(context, () => ({stderr: KIND_CREATE_OK})))
    await kind.create(spec('1.34'))
    expect(context.state.current).toBeUndefined()
    expect(commands().at(-1)).toBe('kubectl config unset current-context')
  })

  it('touches nothing when kind did not switch the context', async () => {
    const context = fakeKubeconfig('kind-geniro-dev')
    const {kind, commands} = kindWith(creating(context, () => ({stderr: KIND_CREATE_OK})))
    await kind.create(spec('1.34'))
    expect(commands().filter((c) => /use-context|unset/.test(c))).toEqual([])
  })

  it('tells the user an existing cluster exists, and how to reuse or recreate it', async () => {
    const context = fakeKubeconfig('work')
    const {kind} = kindWith(creating(context, () => ({exitCode: 1, stderr: KIND_ALREADY_EXISTS})))
    const error = await caught(kind.create(spec('1.34')))
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toBe('a kind cluster named "geniro-dev" already exists')
    expect((error as UserError).hint).toMatch(/geniro-dev up.*--recreate/)
  })

  it('passes other kind failures through and still restores the context', async () => {
    const context = fakeKubeconfig('work')
    const {kind} = kindWith((command) => {
      if (command.startsWith('kind create cluster')) {
        context.state.current = 'kind-geniro-dev'
        return {exitCode: 1, stderr: 'ERROR: failed to create cluster: failed to pull image'}
      }
      return context.respond(command)
    })
    await expect(kind.create(spec('1.34'))).rejects.toBeInstanceOf(ToolFailedError)
    expect(context.state.current).toBe('work')
  })

  it('hands Ctrl-C to the seam and restores the context after the interruption', async () => {
    const context = fakeKubeconfig('work')
    const controller = new AbortController()
    const {kind, calls} = kindWith((command) => {
      if (command.startsWith('kind create cluster')) {
        context.state.current = 'kind-geniro-dev'
        controller.abort() // the user presses Ctrl-C while kind runs…
        throw new InterruptedError(`interrupted \`${command}\``) // …and the seam kills kind
      }
      return context.respond(command)
    })
    await expect(kind.create(spec('1.34'), controller.signal)).rejects.toBeInstanceOf(
      InterruptedError,
    )
    const create = calls.find((call) => call.command.startsWith('kind create'))!
    expect(create.options.signal).toBe(controller.signal)
    expect(context.state.current).toBe('work')
  })

  it('refuses a config directory someone else could swap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-kindcfg-'))
    symlinkSync(dir, join(dir, 'link'))
    const {kind, commands} = kindWith(fakeKubeconfig('work').respond, {
      configDir: join(dir, 'link'),
    })
    await expect(kind.create(spec('1.34'))).rejects.toBeInstanceOf(UserError)
    expect(commands()).toEqual([])
    expect(existsSync(join(dir, 'kind-geniro-dev.yaml'))).toBe(false)
  })
})

describe('kind start and delete', () => {
  const nodes: Responder = (command) =>
    command === 'kind get nodes --name geniro-dev'
      ? {stdout: 'geniro-dev-control-plane'}
      : undefined

  it('starts the node containers, then waits until /readyz says ok', async () => {
    let probes = 0
    const {kind, commands} = kindWith(
      (command, call) =>
        nodes(command, call) ??
        (command === 'docker start geniro-dev-control-plane'
          ? {stdout: 'geniro-dev-control-plane'}
          : command.startsWith('kubectl --context kind-geniro-dev get --raw /readyz')
            ? ++probes < 3
              ? {exitCode: 1, stderr: 'The connection to the server 127.0.0.1:39415 was refused'}
              : {stdout: 'ok'}
            : undefined),
    )
    await kind.start('geniro-dev')
    expect(commands()).toEqual([
      'kind get nodes --name geniro-dev',
      'docker start geniro-dev-control-plane',
      ...Array(3).fill('kubectl --context kind-geniro-dev get --raw /readyz --request-timeout=5s'),
    ])
  })

  it('gives up on an API server that never gets ready, saying why', async () => {
    const {kind} = kindWith(
      (command, call) =>
        nodes(command, call) ??
        (command.startsWith('docker start')
          ? {}
          : {exitCode: 1, stderr: 'The connection to the server 127.0.0.1:39415 was refused'}),
      {readyTimeoutMs: 50},
    )
    const error = await caught(kind.start('geniro-dev'))
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).hint).toContain('was refused')
  })

  it('stops waiting on Ctrl-C', async () => {
    const controller = new AbortController()
    const {kind, calls} = kindWith(
      (command, call) => {
        if (nodes(command, call)) return nodes(command, call)
        if (command.startsWith('docker start')) return {}
        setTimeout(() => controller.abort(), 1) // Ctrl-C while waiting for the next probe
        return {stdout: 'not ready'}
      },
      {readyTimeoutMs: 60_000},
    )
    await expect(kind.start('geniro-dev', controller.signal)).rejects.toBeInstanceOf(
      InterruptedError,
    )
    expect(calls.every((call) => call.options.signal === controller.signal)).toBe(true)
  })

  it('refuses to start a cluster kind does not know', async () => {
    const {kind} = kindWith((command) =>
      command.startsWith('kind get nodes') ? {stderr: KIND_NO_NODES('geniro-dev')} : undefined,
    )
    await expect(kind.start('geniro-dev')).rejects.toBeInstanceOf(UserError)
  })

  it('deletes with kind, passing the signal', async () => {
    const controller = new AbortController()
    const {kind, calls} = kindWith((command) =>
      command === 'kind delete cluster --name geniro-dev'
        ? {stderr: 'Deleting cluster "geniro-dev" ...'}
        : undefined,
    )
    await kind.delete('geniro-dev', controller.signal)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.options.signal).toBe(controller.signal)
  })

  it('an already aborted signal stops before kind runs', async () => {
    const controller = new AbortController()
    controller.abort()
    const {kind} = kindWith(() => ({stdout: 'geniro-dev'}))
    await expect(kind.state('geniro-dev', controller.signal)).rejects.toBeInstanceOf(
      InterruptedError,
    )
  })
})

describe('minikube profiles', () => {
  const minikubeWith = (reply: Reply) => {
    const seam = recordingExec((command) =>
      command === 'minikube profile list -o json' ? reply : undefined,
    )
    return {minikube: new Minikube(seam.exec), ...seam}
  }

  it('reads running and stopped profiles by exact name', async () => {
    const stdout = minikubeProfiles([
      ['geniro-dev-2', 'Running'],
      ['geniro-dev', 'Stopped'],
      ['minikube', 'Running'],
    ])
    const {minikube} = minikubeWith({stdout})
    expect(await minikube.state('geniro-dev')).toBe('stopped')
    expect(await minikube.state('geniro-dev-2')).toBe('running')
    expect(await minikube.state('geniro')).toBe('absent')
    const nodeAddresses = ['192.168.49.2']
    expect(await minikube.profiles()).toEqual([
      {name: 'geniro-dev-2', status: 'Running', valid: true, driver: 'docker', nodeAddresses},
      {name: 'geniro-dev', status: 'Stopped', valid: true, driver: 'docker', nodeAddresses},
      {name: 'minikube', status: 'Running', valid: true, driver: 'docker', nodeAddresses},
    ])
    // Where its API server may be: the node container (named after the profile) and its address.
    expect(await minikube.apiServerHosts('geniro-dev')).toEqual(['geniro-dev', '192.168.49.2'])
    expect(await minikube.apiServerHosts('absent')).toEqual([])
  })

  it('reads minikube 1.34+ "OK" as running, like "Running" before it', async () => {
    const {minikube} = minikubeWith({stdout: minikubeProfiles([['geniro-dev', 'OK']])})
    expect(await minikube.state('geniro-dev')).toBe('running')
  })

  it.each(['Paused', 'Error', 'Unknown', 'Starting'])(
    'calls a %s profile stopped: it exists, and start brings it back',
    async (status) => {
      const {minikube} = minikubeWith({stdout: minikubeProfiles([['geniro-dev', status]])})
      expect(await minikube.state('geniro-dev')).toBe('stopped')
    },
  )

  it('calls an invalid profile stopped, never absent', async () => {
    const {minikube} = minikubeWith({stdout: minikubeProfiles([], ['geniro-dev'])})
    expect(await minikube.state('geniro-dev')).toBe('stopped')
  })

  it.each<[string, Reply]>([
    ['empty lists (recent minikube)', {stdout: '{"invalid":[],"valid":[]}'}],
    [
      'a JSON error for the missing profiles directory',
      {exitCode: 85, stdout: '{"error":{"Op":"open","Path":"/root/.minikube/profiles","Err":2}}'},
    ],
    [
      'MK_USAGE_NO_PROFILE',
      {
        exitCode: 14,
        stderr: '\n❌  Exiting due to MK_USAGE_NO_PROFILE: No minikube profile was found.\n',
      },
    ],
  ])('finds no profile in %s', async (_, reply) => {
    expect(await minikubeWith(reply).minikube.state('geniro-dev')).toBe('absent')
  })

  it('reports any other failure in minikube’s words', async () => {
    const {minikube} = minikubeWith({
      exitCode: 80,
      stdout: '{"error":{"Op":"open","Path":"/root/.minikube/profiles","Err":13}}',
    })
    const error = await caught(minikube.state('geniro-dev'))
    expect(error).toBeInstanceOf(ToolFailedError)
    expect((error as ToolFailedError).stderrTail).toContain('"Err":13')
  })

  it('hands Ctrl-C to the seam for create, start and delete, with long timeouts', async () => {
    const controller = new AbortController()
    const {exec: seam, calls} = recordingExec(() => ({}))
    const minikube = new Minikube(seam)
    await minikube.create(spec('1.34'), controller.signal)
    await minikube.start('geniro-dev', controller.signal)
    await minikube.delete('geniro-dev', controller.signal)
    expect(calls.map((call) => call.command)).toEqual([
      minikube.createCommand(spec('1.34')).join(' '),
      minikube.startCommand('geniro-dev').join(' '),
      minikube.deleteCommand('geniro-dev').join(' '),
    ])
    expect(calls.every((call) => call.options.signal === controller.signal)).toBe(true)
    expect(calls.map((call) => call.options.timeoutMs)).toEqual([
      15 * 60_000,
      10 * 60_000,
      5 * 60_000,
    ])
    controller.abort()
    await expect(minikube.start('geniro-dev', controller.signal)).rejects.toBeInstanceOf(
      InterruptedError,
    )
  })

  it('is not installed when the binary is missing', async () => {
    expect(await new Minikube(exec, '/nonexistent/minikube').installed()).toBe(false)
  })
})
