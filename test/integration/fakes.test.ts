/**
 * The fakes of test/fakes against the real tools, wherever the real tools run here: the real
 * kind sees a fake cluster, the real kubectl reads the kubeconfig the fakes write, the real
 * helm renders, judges flags and (against a loopback API stub) prints the release JSON the
 * fake must match. The rest is the fakes' own behaviour, which e2e tests rely on.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, inject} from 'vitest'
import {parse} from 'yaml'
import {CHART_DIR} from '../support/helm.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {runCollecting, type CliRun} from '../support/run-cli.js'
import {TOOLS, dockerCli} from '../support/toolchain.js'

/** The chart's own name and versions: the fake's release records carry them. */
const CHART = parse(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) as {
  version: string
  appVersion: string
}

type Run = CliRun

function run(env: Record<string, string>, file: string, args: string[]): Run {
  const result = spawnSync(file, args, {env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024})
  if (result.error) throw result.error
  return {code: result.status, stdout: result.stdout, stderr: result.stderr}
}

/** Without blocking the event loop (the loopback API stub lives in this process). */
function runAsync(env: Record<string, string>, file: string, args: string[]): Promise<Run> {
  return runCollecting(file, args, {env, timeout: 30_000, killSignal: 'SIGKILL'})
}

/** A fake tool of the environment, run as a user's shell would run it. */
function fake(env: FakeEnvironment, tool: string, args: string[]): Run {
  return run(env.env, path.join(env.binDir, tool), args)
}

/** The same environment, for the real binaries (the fakes' state dir is not theirs). */
function realEnv(env: FakeEnvironment): Record<string, string> {
  return {
    PATH: `${env.binDir}:/usr/bin:/bin`,
    HOME: env.home,
    KUBECONFIG: env.kubeconfig,
    DOCKER_HOST: dockerHost(),
  }
}

function docker(env: FakeEnvironment, args: string[]): Run {
  return run(realEnv(env), dockerCli(), args)
}

const dockerHost = (): string => inject('dockerHost')

describe('kind fake, checked by the real kind', () => {
  let env: FakeEnvironment
  beforeEach(() => {
    env = fakeEnvironment({helm: 'helm4', dockerHost: dockerHost()})
  })
  afterEach(() => env.cleanup())

  it('with no cluster the real kind prints "No kind clusters found." on stderr and exits 0', () => {
    expect(docker(env, ['ps', '-aq', '--filter', 'label=io.x-k8s.kind.cluster']).stdout).toBe('')
    const real = run(realEnv(env), TOOLS.kind, ['get', 'clusters'])
    expect(real).toEqual({code: 0, stdout: '', stderr: 'No kind clusters found.\n'})
    expect(fake(env, 'kind', ['get', 'clusters'])).toEqual(real)
  })

  it('create leaves a cluster the real kind lists by exact name, and switches the context', () => {
    const created = fake(env, 'kind', ['create', 'cluster', '--name', 'gd-one', '--wait', '60s'])
    expect(created.code).toBe(0)
    expect(created.stdout).toBe('')
    expect(created.stderr).toMatch(/^Creating cluster "gd-one" \.\.\.\n/)
    expect(created.stderr).toContain(' ✓ Ensuring node image (kindest/node:v1.32.2) 🖼\n')
    expect(created.stderr).toContain(' • Waiting ≤ 1m0s for control-plane = Ready ⏳  ...\n')
    expect(created.stderr).toContain(
      'Set kubectl context to "kind-gd-one"\nYou can now use your cluster with:\n\nkubectl cluster-info --context kind-gd-one\n',
    )

    expect(run(realEnv(env), TOOLS.kind, ['get', 'clusters'])).toEqual({
      code: 0,
      stdout: 'gd-one\n',
      stderr: '',
    })
    expect(run(realEnv(env), TOOLS.kind, ['get', 'nodes', '--name', 'gd-one']).stdout).toBe(
      'gd-one-control-plane\n',
    )
    const labels = docker(env, [
      'inspect',
      '--format',
      '{{ index .Config.Labels "io.x-k8s.kind.cluster" }} {{ index .Config.Labels "io.x-k8s.kind.role" }} {{ .State.Running }}',
      'gd-one-control-plane',
    ])
    expect(labels.stdout.trim()).toBe('gd-one control-plane true')
    // kind really sets the current context: the real kubectl reads it from our kubeconfig.
    const current = run(realEnv(env), TOOLS.kubectl134, ['config', 'current-context'])
    expect(current.stdout).toBe('kind-gd-one\n')
    const server = run(realEnv(env), TOOLS.kubectl134, [
      'config',
      'view',
      '-o',
      'jsonpath={.clusters[0].cluster.server}',
    ])
    expect(server.stdout).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
  })

  it('refuses to create an existing cluster with kind’s own error', () => {
    expect(fake(env, 'kind', ['create', 'cluster', '--name', 'gd-twice']).code).toBe(0)
    const again = fake(env, 'kind', ['create', 'cluster', '--name', 'gd-twice'])
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "gd-twice"\n',
    })
  })

  it('judges flags with the real kind', () => {
    const bad = fake(env, 'kind', ['create', 'cluster', '--name', 'gd-flags', '--wait', 'soon'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toBe(
      'ERROR: invalid argument "soon" for "--wait" flag: time: invalid duration "soon"\n',
    )
  })

  it('delete removes the node container and the kubeconfig entry, and is idempotent', () => {
    expect(fake(env, 'kind', ['create', 'cluster', '--name', 'gd-gone']).code).toBe(0)
    expect(fake(env, 'kind', ['delete', 'cluster', '--name', 'gd-gone'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Deleting cluster "gd-gone" ...\nDeleted nodes: ["gd-gone-control-plane"]\n',
    })
    expect(
      docker(env, ['ps', '-a', '--filter', 'name=gd-gone', '--format', '{{.Names}}']).stdout,
    ).toBe('')
    const contexts = run(realEnv(env), TOOLS.kubectl134, ['config', 'get-contexts', '-o', 'name'])
    expect(contexts.stdout).not.toContain('kind-gd-gone')
    expect(fake(env, 'kind', ['delete', 'cluster', '--name', 'gd-gone'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Deleting cluster "gd-gone" ...\n',
    })
    expect(fake(env, 'kind', ['export', 'kubeconfig', '--name', 'gd-gone'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "ERROR: could not locate any control plane nodes for cluster named 'gd-gone'. Use the --name option to select a different cluster\n",
    })
  })

  it('export kubeconfig brings the context back', () => {
    expect(fake(env, 'kind', ['create', 'cluster', '--name', 'gd-back']).code).toBe(0)
    run(realEnv(env), TOOLS.kubectl134, ['config', 'delete-context', 'kind-gd-back'])
    expect(fake(env, 'kind', ['export', 'kubeconfig', '--name', 'gd-back'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Set kubectl context to "kind-gd-back"\n',
    })
    expect(run(realEnv(env), TOOLS.kubectl134, ['config', 'current-context']).stdout).toBe(
      'kind-gd-back\n',
    )
  })

  it('records every call, marking exactly the cluster-changing ones as mutating', () => {
    fake(env, 'kind', ['version'])
    fake(env, 'kind', ['create', 'cluster', '--name', 'gd-log'])
    fake(env, 'kind', ['get', 'clusters'])
    fake(env, 'kind', ['delete', 'cluster', '--name', 'gd-log'])
    expect(env.calls().map((c) => [c.tool, c.argv.join(' '), c.mutating])).toEqual([
      ['kind', 'version', false],
      ['kind', 'create cluster --name gd-log', true],
      ['kind', 'get clusters', false],
      ['kind', 'delete cluster --name gd-log', true],
    ])
    expect(env.calls().every((c) => !Number.isNaN(Date.parse(c.time)))).toBe(true)
  })
})

describe('minikube fake', () => {
  let env: FakeEnvironment
  beforeEach(() => {
    env = fakeEnvironment({helm: 'helm4', withMinikube: true, dockerHost: dockerHost()})
  })
  afterEach(() => env.cleanup())

  it('lists no profiles as empty lists, and an unknown profile’s status exits 85', () => {
    expect(fake(env, 'minikube', ['profile', 'list', '-o', 'json'])).toEqual({
      code: 0,
      stdout: '{"invalid":[],"valid":[]}\n',
      stderr: '',
    })
    const status = fake(env, 'minikube', ['status', '-p', 'gd-none'])
    expect(status.code).toBe(85)
    expect(status.stdout).toContain('Profile "gd-none" not found.')
  })

  it('start switches the context, --keep-context does not; status exits 7 when stopped', () => {
    expect(
      fake(env, 'minikube', ['start', '-p', 'gd-mk1', '--kubernetes-version', 'v1.33.1']).code,
    ).toBe(0)
    const kubectl = (args: string[]): string => run(realEnv(env), TOOLS.kubectl134, args).stdout
    expect(kubectl(['config', 'current-context'])).toBe('gd-mk1\n')
    const kept = fake(env, 'minikube', ['start', '-p', 'gd-mk2', '--keep-context', '--cpus', '4'])
    expect(kept.code).toBe(0)
    expect(kept.stdout).toContain('To connect to this cluster, use:  --context=gd-mk2')
    expect(kubectl(['config', 'current-context'])).toBe('gd-mk1\n')
    expect(kubectl(['config', 'get-contexts', '-o', 'name']).split('\n')).toContain('gd-mk2')

    expect(fake(env, 'minikube', ['status', '-p', 'gd-mk2', '-o', 'json'])).toEqual({
      code: 0,
      stdout:
        '{"Name":"gd-mk2","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}',
      stderr: '',
    })
    const restart = fake(env, 'minikube', ['start', '-p', 'gd-mk2', '--cpus', '2'])
    expect(restart.stderr).toBe(
      '! You cannot change the CPUs for an existing minikube cluster. Please first delete the cluster.\n',
    )
    expect(fake(env, 'minikube', ['stop', '-p', 'gd-mk2']).code).toBe(0)
    const stopped = fake(env, 'minikube', ['status', '-p', 'gd-mk2', '-o', 'json'])
    expect(stopped.code).toBe(7)
    expect(JSON.parse(stopped.stdout)).toMatchObject({Host: 'Stopped', APIServer: 'Stopped'})

    const list = JSON.parse(fake(env, 'minikube', ['profile', 'list', '-o', 'json']).stdout) as {
      valid: Array<{
        Name: string
        Status: string
        Config: {Driver: string; CPUs: number; KubernetesConfig: {KubernetesVersion: string}}
      }>
    }
    expect(
      list.valid.map((p) => [
        p.Name,
        p.Status,
        p.Config.CPUs,
        p.Config.KubernetesConfig.KubernetesVersion,
      ]),
    ).toEqual([
      ['gd-mk1', 'OK', 2, 'v1.33.1'],
      ['gd-mk2', 'Stopped', 4, 'v1.34.0'],
    ])
    // The node sits on a Docker network named after the profile, as with the docker driver.
    expect(
      docker(env, ['network', 'inspect', 'gd-mk1', '--format', '{{.Name}}']).stdout.trim(),
    ).toBe('gd-mk1')
    expect(fake(env, 'minikube', ['delete', '-p', 'gd-mk1']).code).toBe(0)
    expect(kubectl(['config', 'get-contexts', '-o', 'name']).split('\n')).not.toContain('gd-mk1')
    expect(
      docker(env, ['ps', '-a', '--filter', 'name=^gd-mk1$', '--format', '{{.Names}}']).stdout,
    ).toBe('')
    expect(env.mutatingCalls().map((c) => c.argv[0])).toEqual([
      'start',
      'start',
      'start',
      'stop',
      'delete',
    ])
  })
})

describe('kubectl fake', () => {
  let env: FakeEnvironment
  beforeAll(() => {
    env = fakeEnvironment({helm: 'helm4', dockerHost: dockerHost()})
    expect(fake(env, 'kind', ['create', 'cluster', '--name', 'gd-kc']).code).toBe(0)
  })
  afterAll(() => env.cleanup())

  it('prints the real kubectl’s client version', () => {
    const args = ['version', '--client', '-o', 'json']
    expect(fake(env, 'kubectl', args)).toEqual(run(realEnv(env), TOOLS.kubectl134, args))
  })

  it('rejects every cluster call that does not name --context', () => {
    expect(fake(env, 'kubectl', ['get', 'pods', '-n', 'default', '-o', 'json'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: geniro-dev fake: every call must name --context\n',
    })
  })

  it.each([
    [['get', 'pods', '-n', 'default', '-o', 'json', '--context', 'gd-nope']],
    [['--context', 'gd-nope', 'get', 'pods']],
  ])('answers an unknown context with the real kubectl’s words (%j)', (args) => {
    const real = run(realEnv(env), TOOLS.kubectl134, args)
    expect(real.code).toBe(1)
    expect(fake(env, 'kubectl', args)).toEqual(real)
  })

  it('answers /readyz while the cluster runs, and switches contexts with the real kubectl', () => {
    expect(fake(env, 'kubectl', ['get', '--raw', '/readyz', '--context', 'kind-gd-kc'])).toEqual({
      code: 0,
      stdout: 'ok',
      stderr: '',
    })
    expect(fake(env, 'kubectl', ['config', 'use-context', 'kind-gd-kc'])).toEqual({
      code: 0,
      stdout: 'Switched to context "kind-gd-kc".\n',
      stderr: '',
    })
    const pods = fake(env, 'kubectl', [
      'get',
      'pods',
      '-n',
      'default',
      '--context',
      'kind-gd-kc',
      '-o',
      'json',
    ])
    expect(JSON.parse(pods.stdout)).toEqual({
      apiVersion: 'v1',
      items: [],
      kind: 'List',
      metadata: {resourceVersion: ''},
    })
    const marks = env
      .calls()
      .filter((c) => c.tool === 'kubectl')
      .map((c) => [c.argv[0] === 'config' ? c.argv[1] : c.argv[0], c.mutating])
    expect(marks).toContainEqual(['use-context', true])
    expect(marks).toContainEqual(['get', false])
  })
})

/** A tiny chart, so the real helm can install --dry-run against the loopback API stub. */
function miniChart(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gdev-mini-chart-'))
  mkdirSync(path.join(dir, 'templates'))
  writeFileSync(
    path.join(dir, 'Chart.yaml'),
    'apiVersion: v2\nname: mini\nversion: 0.1.0\nappVersion: "1.0"\n',
  )
  writeFileSync(
    path.join(dir, 'values.yaml'),
    'greeting: hi\nnested:\n  keep: true\n  list: [a, b]\n',
  )
  writeFileSync(
    path.join(dir, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-mini\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
  )
  return dir
}

/**
 * Just enough Kubernetes API (version, discovery, an empty secret list) on 127.0.0.1 for the
 * real `helm install --dry-run=client -o json` to print a release, for both majors.
 */
async function apiStub(): Promise<{url: string; close: () => Promise<void>}> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub')
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, {'content-type': 'application/json'})
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/version')
      return send(200, {major: '1', minor: '32', gitVersion: 'v1.32.2'})
    if (url.pathname === '/api')
      return send(200, {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: []})
    if (url.pathname === '/apis')
      return send(200, {kind: 'APIGroupList', apiVersion: 'v1', groups: []})
    if (url.pathname === '/api/v1')
      return send(200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: ['configmaps', 'secrets'].map((name) => ({
          name,
          singularName: name.slice(0, -1),
          namespaced: true,
          kind: name === 'secrets' ? 'Secret' : 'ConfigMap',
          verbs: ['get', 'list'],
        })),
      })
    if (url.pathname.endsWith('/secrets'))
      return send(200, {kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: []})
    send(404, {kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

type Json = Record<string, unknown>

/** Drops what differs between two runs (times) and between a dry run and an install. */
function comparable(release: Json): Json {
  const copy = JSON.parse(JSON.stringify(release)) as Json
  const info = copy.info as Json
  for (const k of ['first_deployed', 'last_deployed', 'status', 'description'])
    if (k in info) info[k] = '*'
  const chart = copy.chart as Json
  for (const k of ['modtime', 'schemamodtime']) if (k in chart) chart[k] = '*'
  for (const t of (chart.templates as Json[] | null) ?? []) if ('modtime' in t) t.modtime = '*'
  return copy
}

describe.each(['helm3', 'helm4'] as const)('helm fake as %s', (helm) => {
  let env: FakeEnvironment
  const helmBin = TOOLS[helm]
  const ctx = ['--kube-context', 'kind-gd-helm']
  beforeAll(() => {
    env = fakeEnvironment({helm, dockerHost: dockerHost()})
    expect(fake(env, 'kind', ['create', 'cluster', '--name', 'gd-helm']).code).toBe(0)
  })
  afterAll(() => env.cleanup())

  it('renders `helm template` byte for byte as the real helm', () => {
    const args = [
      'template',
      'gd',
      CHART_DIR,
      '-n',
      'gd',
      '-f',
      path.join(CHART_DIR, 'ci/minimal-values.yaml'),
    ]
    const real = run(realEnv(env), helmBin, args)
    expect(real.code).toBe(0)
    expect(fake(env, 'helm', args)).toEqual(real)
  })

  it('rejects every cluster call that does not name --kube-context', () => {
    expect(fake(env, 'helm', ['status', 'gd', '-n', 'gd'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: geniro-dev fake: every call must name --kube-context\n',
    })
  })

  it('answers an unknown context with the real helm’s words', () => {
    const args = ['status', 'gd', '--kube-context', 'gd-nope']
    const real = run(realEnv(env), helmBin, args)
    expect(real.code).toBe(1)
    expect(fake(env, 'helm', args)).toEqual(real)
  })

  it(`${helm === 'helm3' ? 'rejects' : 'accepts'} --wait=watcher as the real ${helm} does`, () => {
    const args = [
      'upgrade',
      '--install',
      'gd-wait',
      CHART_DIR,
      ...ctx,
      '-n',
      'gd-wait',
      '--create-namespace',
      '--wait=watcher',
      '--timeout',
      '2m',
    ]
    const result = fake(env, 'helm', args)
    if (helm === 'helm3') {
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'Error: invalid argument "watcher" for "--wait" flag: strconv.ParseBool: parsing "watcher": invalid syntax\n',
      })
      const rollback = fake(env, 'helm', [
        'upgrade',
        '--install',
        'gd-wait',
        CHART_DIR,
        ...ctx,
        '--rollback-on-failure',
      ])
      expect(rollback.stderr).toBe('Error: unknown flag: --rollback-on-failure\n')
    } else {
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(
        /^Release "gd-wait" does not exist\. Installing it now\.\nNAME: gd-wait\n/,
      )
      const atomic = fake(env, 'helm', [
        'upgrade',
        '--install',
        'gd-wait',
        CHART_DIR,
        ...ctx,
        '-n',
        'gd-wait',
        '--atomic',
      ])
      expect(atomic.code).toBe(0)
      expect(atomic.stderr).toBe(
        'Flag --atomic has been deprecated, use --rollback-on-failure instead\n',
      )
    }
  })

  it('fails on invalid values with the real helm’s error', () => {
    const real = run(realEnv(env), helmBin, [
      'template',
      'gd-bad',
      CHART_DIR,
      '--set',
      'api.replicaCount=abc',
    ])
    expect(real.code).toBe(1)
    const install = fake(env, 'helm', [
      'upgrade',
      '--install',
      'gd-bad',
      CHART_DIR,
      ...ctx,
      '--set',
      'api.replicaCount=abc',
    ])
    expect(install.code).toBe(1)
    expect(install.stderr).toBe(real.stderr)
    expect(fake(env, 'helm', ['upgrade', '--install', 'gd-bad', CHART_DIR, ...ctx]).code).toBe(0)
    const upgrade = fake(env, 'helm', [
      'upgrade',
      '--install',
      'gd-bad',
      CHART_DIR,
      ...ctx,
      '--set',
      'api.replicaCount=abc',
    ])
    expect(upgrade.code).toBe(1)
    expect(upgrade.stderr).toBe(real.stderr.replace(/^Error: /m, 'Error: UPGRADE FAILED: '))
  })

  it('fails `--wait` on a crash-looping component, and kubectl shows why', () => {
    const ns = ['-n', 'gd-fail']
    const install = fake(env, 'helm', [
      'upgrade',
      '--install',
      'gd-fail',
      CHART_DIR,
      ...ctx,
      ...ns,
      '--create-namespace',
      '--wait',
      '--timeout',
      '1m',
    ])
    expect(install.code).toBe(0)
    env.failRelease({
      component: 'api',
      reason: 'CrashLoopBackOff',
      message: 'back-off restarting failed container',
      logs: 'Error: connect ECONNREFUSED',
    })
    const upgrade = fake(env, 'helm', [
      'upgrade',
      '--install',
      'gd-fail',
      CHART_DIR,
      ...ctx,
      ...ns,
      '--wait',
      '--timeout',
      '1m',
    ])
    expect(upgrade.code).toBe(1)
    expect(upgrade.stderr).toBe(
      helm === 'helm3'
        ? 'Error: UPGRADE FAILED: context deadline exceeded\n'
        : 'Error: UPGRADE FAILED: resource Deployment/gd-fail/gd-fail-geniro-api not ready. status: InProgress, message: Available: 0/1\ncontext deadline exceeded\n',
    )
    const status = JSON.parse(
      fake(env, 'helm', ['status', 'gd-fail', ...ctx, ...ns, '-o', 'json']).stdout,
    ) as {
      version: number
      info: {status: string}
    }
    expect(status).toMatchObject({version: 2, info: {status: 'failed'}})

    const kc = ['--context', 'kind-gd-helm', ...ns]
    const pods = JSON.parse(
      fake(env, 'kubectl', [
        'get',
        'pods',
        ...kc,
        '-o',
        'json',
        '-l',
        'app.kubernetes.io/component=api',
      ]).stdout,
    ) as {
      items: Array<{
        metadata: {name: string}
        status: {
          containerStatuses: Array<{
            ready: boolean
            state: {waiting?: {reason: string; message?: string}}
          }>
        }
      }>
    }
    expect(pods.items).toHaveLength(1)
    const pod = pods.items[0]!
    expect(pod.status.containerStatuses[0]).toMatchObject({
      ready: false,
      state: {
        waiting: {reason: 'CrashLoopBackOff', message: 'back-off restarting failed container'},
      },
    })
    const events = JSON.parse(
      fake(env, 'kubectl', [
        'get',
        'events',
        ...kc,
        '-o',
        'json',
        '--field-selector',
        `involvedObject.name=${pod.metadata.name}`,
      ]).stdout,
    ) as {
      items: Array<{type: string; reason: string; message: string; involvedObject: {name: string}}>
    }
    expect(events.items.every((e) => e.involvedObject.name === pod.metadata.name)).toBe(true)
    expect(events.items).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'BackOff',
        message: 'back-off restarting failed container',
      }),
    )
    expect(
      fake(env, 'kubectl', ['logs', pod.metadata.name, ...kc, '--all-containers', '--tail', '20']),
    ).toEqual({
      code: 0,
      stdout: 'Error: connect ECONNREFUSED\n',
      stderr: '',
    })
    env.failRelease(null)
    const healed = JSON.parse(
      fake(env, 'kubectl', ['get', 'pods', ...kc, '-o', 'json']).stdout,
    ) as {
      items: Array<{status: {phase: string; conditions: Array<{type: string; status: string}>}}>
    }
    const running = healed.items.filter((p) => p.status.phase === 'Running')
    expect(running.length).toBeGreaterThan(0)
    for (const p of running)
      expect(p.status.conditions).toContainEqual(
        expect.objectContaining({type: 'Ready', status: 'True'}),
      )
  })

  it('prints the release JSON the real helm prints, user-supplied values included', async () => {
    const chart = miniChart()
    const stub = await apiStub()
    const valuesFile = path.join(chart, 'override.yaml')
    writeFileSync(valuesFile, 'nested:\n  list: [x]\n  extra: yes\nport: 8080\n')
    const values = [
      '-f',
      valuesFile,
      '--set',
      'greeting=yo,nested.n=010,count=3,flag=true,gone=null,arr[1].k=v',
      '--set-string',
      'str=5',
      '--set-json',
      'obj={"a":[1,2]}',
    ]
    try {
      const stubConfig = path.join(chart, 'stub-kubeconfig')
      writeFileSync(
        stubConfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "${stub.url}"}\n  name: stub\ncontexts:\n- context: {cluster: stub, user: stub}\n  name: stub\nusers:\n- name: stub\n  user: {}\ncurrent-context: stub\n`,
      )
      const real = await runAsync({...realEnv(env), KUBECONFIG: stubConfig}, helmBin, [
        'install',
        'gd-shape',
        chart,
        '--dry-run=client',
        '-o',
        'json',
        '--disable-openapi-validation',
        ...values,
      ])
      expect(real.stderr).toBe('')
      const mine = fake(env, 'helm', [
        'upgrade',
        '--install',
        'gd-shape',
        chart,
        ...ctx,
        '-o',
        'json',
        ...values,
      ])
      expect(mine.stderr).toBe('')
      expect(comparable(JSON.parse(mine.stdout) as Json)).toEqual(
        comparable(JSON.parse(real.stdout) as Json),
      )
      // Same field order too (encoding/json writes struct fields in declaration order).
      expect(JSON.stringify(comparable(JSON.parse(mine.stdout) as Json))).toBe(
        JSON.stringify(comparable(JSON.parse(real.stdout) as Json)),
      )
      const status = JSON.parse(
        fake(env, 'helm', ['status', 'gd-shape', ...ctx, '-o', 'json']).stdout,
      ) as Json
      expect(comparable(status)).toEqual(comparable(JSON.parse(real.stdout) as Json))
      const userValues = fake(env, 'helm', ['get', 'values', 'gd-shape', ...ctx, '-o', 'json'])
      expect(JSON.parse(userValues.stdout)).toEqual((JSON.parse(real.stdout) as Json).config)
    } finally {
      await stub.close()
      rmSync(chart, {recursive: true, force: true})
    }
  })

  it('lists releases in helm’s list JSON shape (pkg/cmd/list.go releaseElement)', () => {
    const list = fake(env, 'helm', [
      'list',
      '-A',
      ...ctx,
      '-o',
      'json',
      '--filter',
      '^gd-(fail|bad)$',
    ])
    const rows = JSON.parse(list.stdout) as Array<Record<string, string>>
    expect(rows.map((r) => Object.keys(r))).toEqual([
      ['name', 'namespace', 'revision', 'updated', 'status', 'chart', 'app_version'],
      ['name', 'namespace', 'revision', 'updated', 'status', 'chart', 'app_version'],
    ])
    expect(rows.map((r) => [r.name, r.revision, r.status, r.chart, r.app_version])).toEqual([
      ['gd-bad', '1', 'deployed', `geniro-${CHART.version}`, CHART.appVersion],
      ['gd-fail', '2', 'failed', `geniro-${CHART.version}`, CHART.appVersion],
    ])
    expect(rows[0]!.updated).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/)
  })

  it('uninstalls as helm does, and says so when the release is absent', () => {
    expect(fake(env, 'helm', ['uninstall', 'gd-bad', ...ctx])).toEqual({
      code: 0,
      stdout: 'release "gd-bad" uninstalled\n',
      stderr: '',
    })
    expect(fake(env, 'helm', ['uninstall', 'gd-bad', ...ctx])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: uninstall: Release not loaded: gd-bad: release: not found\n',
    })
    expect(fake(env, 'helm', ['status', 'gd-bad', ...ctx])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: release: not found\n',
    })
  })

  it('records every call, marking installs, upgrades and uninstalls (not dry runs) as mutating', () => {
    const before = env.calls().length
    fake(env, 'helm', ['upgrade', '--install', 'gd-dry', CHART_DIR, ...ctx, '--dry-run=client'])
    fake(env, 'helm', ['version', '--template', '{{.Version}}'])
    fake(env, 'helm', ['upgrade', '--install', 'gd-dry', CHART_DIR, ...ctx])
    fake(env, 'helm', ['list', ...ctx, '-o', 'json'])
    fake(env, 'helm', ['uninstall', 'gd-dry', ...ctx])
    expect(
      env
        .calls()
        .slice(before)
        .map((c) => [c.tool, c.argv[0], c.mutating]),
    ).toEqual([
      ['helm', 'upgrade', false],
      ['helm', 'version', false],
      ['helm', 'upgrade', true],
      ['helm', 'list', false],
      ['helm', 'uninstall', true],
    ])
  })
})
