/**
 * A real tool failing under `up`, as a user sees it: the fakes of kind, minikube and helm
 * replay the real tools' words (test/fakes/lib/failures.mjs), the REAL helm judges values,
 * and the REAL kind meets the test engine, which reaches no registry. Each failure gets one
 * line of cause and one of fix, its exit code from the table, and the tool's last lines
 * shown once, under the step that failed, with the full output in a log file.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {FAILURES} from '../fakes/lib/failures.mjs'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {runCli, type CliRun} from '../support/run-cli.js'
import {TOOLS, dockerCli, pathWith} from '../support/toolchain.js'

interface Replay {
  tool: 'kind' | 'minikube' | 'helm' | 'kubectl'
  words: string[]
  failure: string
}

/** Makes the fakes answer the call named by `words` with the failure, in the real tool's words. */
function replay(environment: FakeEnvironment, entries: Replay[]): void {
  writeFileSync(join(environment.stateDir, 'replay.json'), JSON.stringify(entries))
}

/** The line a replayed failure ends with: the tool's own last words. */
function lastLineOf(failure: string, argv: string[]): string {
  const flag = (name: string) => {
    const at = argv.indexOf(`--${name}`)
    return at < 0 ? undefined : argv[at + 1]
  }
  const {stderr} = FAILURES[failure]!({argv, flag})
  return stderr.trimEnd().split('\n').at(-1)!
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1
}

/** What every reported tool failure must look like on stderr. */
function expectReported(
  run: CliRun,
  expected: {code: number; cause: RegExp; fix: RegExp; step?: string; toolLine?: string},
): string | undefined {
  expect(run.code, run.stderr).toBe(expected.code)
  const lines = run.stderr.split('\n')
  const errorAt = lines.findIndex((line) => line.startsWith('Error: '))
  expect(lines[errorAt]!.slice('Error: '.length)).toMatch(expected.cause)
  expect(lines.filter((line) => line.startsWith('Hint: '))).toHaveLength(1)
  expect(lines.find((line) => line.startsWith('Hint: '))!.slice('Hint: '.length)).toMatch(
    expected.fix,
  )
  expect(run.stderr).not.toMatch(/\n\s+at /)
  if (expected.step) {
    // The task list shows the step as failed, without the message; the error comes right under it.
    expect(lines[errorAt - 1]).toBe(`✖ ${expected.step}`)
    expect(run.stderr).not.toContain('[FAILED')
  }
  if (expected.toolLine) expect(occurrences(run.stderr, expected.toolLine)).toBe(1)
  const log = /^ {2}Full output: (.+)$/m.exec(run.stderr)?.[1]
  if (expected.toolLine) {
    expect(log).toBeDefined()
    expect(readFileSync(log!, 'utf8')).toContain(expected.toolLine)
  }
  return log
}

describe('kind failures during `up`', () => {
  let environment: FakeEnvironment
  beforeAll(() => {
    environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
  })
  afterAll(() => environment.cleanup())

  const step = 'Create kind cluster "geniro-dev"'
  const create = (args: string[] = []) => [
    'create',
    'cluster',
    '--name',
    'geniro-dev',
    '--image',
    args.includes('1.29') ? 'kindest/node:v1.29.14' : 'kindest/node:v1.34.0',
  ]
  const cases: Array<[failure: string, args: string[], cause: RegExp, fix: RegExp]> = [
    [
      'kind-image-offline',
      [],
      /^the node image kindest\/node:v1\.34\.0 could not be pulled: Docker reaches no registry \(network, DNS or proxy\)$/,
      /docker load -i node\.tar.*--node-image/,
    ],
    [
      'kind-image-missing',
      [],
      /^the node image kindest\/node:v1\.34\.0 does not exist/,
      /--k8s-version/,
    ],
    ['kind-image-denied', [], /^the registry refused to let Docker pull/, /docker login/],
    ['kind-image-rate-limited', [], /pull rate limit reached$/, /docker login/],
    ['docker-disk-full', [], /^the disk Docker writes to is full$/, /docker system prune/],
    [
      'kind-port-in-use',
      [],
      /^port 6443 on 127\.0\.0\.1 is already taken/,
      /ss -ltnp 'sport = :6443'/,
    ],
    [
      'kind-port-allocated',
      [],
      /^port 6443 on 127\.0\.0\.1 is already taken/,
      /docker ps --filter publish=6443/,
    ],
    ['kind-cgroups', [], /cgroups are not what kind's node containers need$/, /cgroup v2/],
    [
      'kind-network-pools',
      [],
      /no free address range left for the "kind" network$/,
      /docker network prune/,
    ],
    [
      'kind-node-boot',
      // With an image this kind (0.27) published: else its age is the better explanation.
      ['--k8s-version', '1.29'],
      /^the node container never finished booting/,
      /fs\.inotify\.max_user_watches/,
    ],
    [
      'kind-inotify',
      [],
      /^the host ran out of inotify watches/,
      /fs\.inotify\.max_user_instances=512/,
    ],
    [
      'kind-node-setup',
      ['--k8s-version', '1.29'],
      /^kind could not bring up Kubernetes inside the node container \(failed to init node with kubeadm\)$/,
      /docker logs geniro-dev-control-plane/,
    ],
    [
      // The same kubeadm failure with the default image, which this kind (0.27) predates.
      'kind-node-setup',
      [],
      /^kind v0\.27\.0 is older than Kubernetes 1\.34: kindest\/node:v1\.34\.0 needs kind v0\.30\.0 or newer$/,
      /^install kind v0\.30\.0 or newer/,
    ],
  ]

  it.each(cases)(
    '%s %s: cause, fix, exit 5, shown once under the step',
    async (failure, args, cause, fix) => {
      replay(environment, [{tool: 'kind', words: ['create', 'cluster'], failure}])
      const before = environment.mutatingCalls().length
      const run = await runCli(['up', '--no-forward', ...args], environment.env)
      expectReported(run, {code: 5, cause, fix, step, toolLine: lastLineOf(failure, create(args))})
      expect(run.stdout).toBe('')
      const calls = environment.mutatingCalls().slice(before)
      expect(calls.map((call) => [call.tool, ...call.argv].slice(0, 3).join(' '))).toEqual([
        'kind create cluster',
      ])
    },
  )

  it('an existing cluster of that name is something to fix: exit 3', async () => {
    replay(environment, [
      {tool: 'kind', words: ['create', 'cluster'], failure: 'kind-cluster-exists'},
    ])
    const run = await runCli(['up', '--no-forward'], environment.env)
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(
      `✖ ${step}\nError: a kind cluster named "geniro-dev" already exists\n`,
    )
    expect(run.stderr).toMatch(/^Hint: .*--recreate/m)
  })

  it('Docker refusing this user, as kind quotes it: cause and fix before any step', async () => {
    replay(environment, [
      {tool: 'kind', words: ['get', 'clusters'], failure: 'docker-permission-denied'},
    ])
    const run = await runCli(['up', '--no-forward'], environment.env)
    expectReported(run, {
      code: 5,
      cause:
        /^this user may not use Docker: permission denied on unix:\/\/\/var\/run\/docker\.sock$/,
      fix: /usermod -aG docker/,
      toolLine: lastLineOf('docker-permission-denied', []),
    })
  })

  it('--json: one error object with the cause, the fix, the tool’s last lines and the log', async () => {
    replay(environment, [
      {tool: 'kind', words: ['create', 'cluster'], failure: 'kind-image-offline'},
    ])
    const run = await runCli(['up', '--no-forward', '--json'], environment.env)
    expect(run.code).toBe(5)
    expect(run.stderr).toBe('')
    const {error} = JSON.parse(run.stdout) as {error: Record<string, unknown>}
    expect(error).toMatchObject({
      kind: 'toolFailed',
      exitCode: 5,
      failure: 'kind-image-offline',
      cause: expect.stringMatching(/^the node image kindest\/node:v1\.34\.0 could not be pulled/),
      fix: expect.stringMatching(/docker load/),
      commandExitCode: 1,
    })
    expect(error.outputTail).toContain(lastLineOf('kind-image-offline', create()))
    expect(readFileSync(error.logFile as string, 'utf8')).toContain('Creating cluster "geniro-dev"')
  })

  it('--debug prints the whole output inline, and still names the log', async () => {
    replay(environment, [{tool: 'kind', words: ['create', 'cluster'], failure: 'kind-node-setup'}])
    const run = await runCli(
      ['up', '--no-forward', '--debug', '--k8s-version', '1.29'],
      environment.env,
    )
    expect(run.code).toBe(5)
    // The first line kind printed is beyond the last eight lines, so only --debug shows it.
    expect(run.stderr).toContain('; its output:\n    Creating cluster "geniro-dev" ...\n')
    expect(run.stderr).toMatch(/^ {2}Full output: \S+\.log$/m)
    const plain = await runCli(['up', '--no-forward', '--k8s-version', '1.29'], environment.env)
    expect(plain.stderr).not.toContain('    Creating cluster "geniro-dev" ...')
  })
})

describe('minikube failures during `up --provider minikube`', () => {
  let environment: FakeEnvironment
  beforeAll(() => {
    environment = fakeEnvironment({
      helm: 'helm4',
      withMinikube: true,
      dockerHost: inject('dockerHost'),
    })
  })
  afterAll(() => environment.cleanup())

  const cases: Array<[failure: string, cause: RegExp, fix: RegExp]> = [
    [
      'minikube-driver-missing',
      /^minikube found no driver it can use \(DRV_NOT_DETECTED: No possible driver/,
      /minikube config set driver/,
    ],
    [
      'minikube-driver-not-running',
      /^Docker is not running: nothing answers at unix:\/\/\/var\/run\/docker\.sock$/,
      /systemctl start docker/,
    ],
    [
      'minikube-cpus',
      /^not enough CPUs for minikube: Requested cpu count 4 is greater than the available cpus of 2$/,
      /at least 4 CPUs/,
    ],
    [
      'minikube-memory',
      /^not enough memory for minikube: Requested memory allocation 8192MB/,
      /at least 8 GiB/,
    ],
    [
      'minikube-kubernetes-version',
      /^this minikube cannot run that Kubernetes version: Kubernetes 1\.34\.0 is not supported/,
      /minikube config defaults kubernetes-version/,
    ],
  ]

  it.each(cases)('%s: cause, fix, exit 5, shown once', async (failure, cause, fix) => {
    replay(environment, [{tool: 'minikube', words: ['start'], failure}])
    const run = await runCli(['up', '--provider', 'minikube', '--no-forward'], environment.env)
    expectReported(run, {
      code: 5,
      cause,
      fix,
      step: 'Create minikube cluster "geniro-dev"',
      toolLine: lastLineOf(failure, ['--kubernetes-version', 'v1.34.0']),
    })
  })
})

describe('helm failures during `up`', () => {
  let environment: FakeEnvironment
  beforeAll(async () => {
    environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    // A running cluster with the release installed: the failures below are the upgrade's.
    const first = await runCli(['up', '--no-forward', '--json'], environment.env)
    expect(first.code, first.stderr).toBe(0)
  })
  afterAll(() => environment.cleanup())

  const step = /^Install chart geniro \S+ as release "geniro" in namespace "geniro"$/

  it.each([
    [
      'helm-cluster-unreachable',
      /^Helm cannot reach the cluster's API server$/,
      /geniro-dev status/,
    ],
    [
      'helm-release-pending',
      /^the release is locked by an unfinished Helm operation/,
      /re-run `geniro-dev up`/,
    ],
  ])('%s (replayed): cause, fix, exit 5', async (failure, cause, fix) => {
    replay(environment, [{tool: 'helm', words: ['upgrade'], failure}])
    const run = await runCli(['up', '--no-forward', '--force-upgrade'], environment.env)
    expectReported(run, {code: 5, cause, fix, toolLine: lastLineOf(failure, [])})
    const lines = run.stderr.split('\n')
    expect(lines[lines.findIndex((line) => line.startsWith('Error: ')) - 1]).toMatch(
      new RegExp(`^✖ ${step.source.slice(1)}`),
    )
    replay(environment, [])
  })

  it('a value the chart’s schema refuses (the real Helm’s words) is the user’s to fix: exit 3', async () => {
    const run = await runCli(
      ['up', '--no-forward', '--set', 'api.replicaCount=two'],
      environment.env,
    )
    expectReported(run, {
      code: 3,
      cause: /^the values break the chart's schema: api\.replicaCount: got string, want integer$/,
      fix: /geniro-dev values/,
      toolLine: "- at '/api/replicaCount': got string, want integer",
    })
  })

  it('a release that never gets ready: the stuck resource, the pods, exit 5', async () => {
    environment.failRelease({component: 'api', reason: 'CrashLoopBackOff', message: 'back-off'})
    try {
      const run = await runCli(['up', '--no-forward', '--force-upgrade'], {
        ...environment.env,
        GENIRO_FAKE_HELM_WAIT_MS: '100',
      })
      expectReported(run, {
        code: 5,
        cause:
          /^the release was not ready within --timeout \(Deployment\/geniro\/geniro-api is InProgress/,
        fix: /^the pods above show why/,
        toolLine: 'context deadline exceeded',
      })
    } finally {
      environment.failRelease(null)
    }
  })

  it('--set values never reach the terminal or the log, even when Helm quotes them', async () => {
    const secret = `9sk-live-${randomBytes(6).toString('hex')}`
    const run = await runCli(
      ['up', '--no-forward', '--set', `postgresql.extraDatabases[0]=${secret}`],
      environment.env,
    )
    expect(run.code).toBe(5)
    expect(run.stderr).toContain('values: database name "***" is not supported')
    expect(run.stderr).not.toContain(secret)
    const log = /^ {2}Full output: (.+)$/m.exec(run.stderr)?.[1]
    expect(log).toBeDefined()
    const text = readFileSync(log!, 'utf8')
    expect(text).toContain('database name "***"')
    expect(text).not.toContain(secret)
  })
})

describe('the engine itself', () => {
  it('a stopped engine: exit 3 before anything runs, with the engine’s own words', async () => {
    const environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    try {
      const socket = `unix:///tmp/gdev-stopped-${randomBytes(4).toString('hex')}.sock`
      const run = await runCli(['up', '--no-forward'], {...environment.env, DOCKER_HOST: socket})
      expect(run.code).toBe(3)
      expect(run.stderr).toContain(
        `Error: Docker is not running or not reachable: Cannot connect to the Docker daemon at ${socket}. Is the docker daemon running?`,
      )
      expect(run.stderr).toMatch(/^Hint: start Docker .*DOCKER_HOST/m)
      expect(environment.mutatingCalls()).toEqual([])
    } finally {
      environment.cleanup()
    }
  })
})

describe('the REAL kind against an engine that reaches no registry', () => {
  const cluster = `gdev-t18-${randomBytes(4).toString('hex')}`
  const dir = mkdtempSync(join(tmpdir(), 'gdev-realkind-'))
  const env = {
    PATH: pathWith({
      kind: TOOLS.kind,
      helm: TOOLS.helm4,
      kubectl: TOOLS.kubectl134,
      docker: dockerCli(),
    }),
    HOME: dir,
    KUBECONFIG: join(dir, 'kubeconfig'),
    GENIRO_DEV_STATE_DIR: join(dir, 'state'),
  }
  const docker = (args: string[]) =>
    execFileSync(dockerCli(), args, {
      env: {...process.env, DOCKER_HOST: inject('dockerHost')},
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })

  afterAll(() => {
    // Whatever kind may have made, by this test's cluster name only.
    try {
      execFileSync(TOOLS.kind, ['delete', 'cluster', '--name', cluster], {
        env: {...process.env, ...env, DOCKER_HOST: inject('dockerHost')},
        stdio: 'ignore',
      })
    } catch {
      // Nothing to delete.
    }
    try {
      docker(['rm', '--force', '--volumes', `${cluster}-control-plane`])
    } catch {
      // No such container.
    }
    rmSync(dir, {recursive: true, force: true})
  })

  it('`up` shows the node image pull failure recognised, once, with the log', async () => {
    // The engine must not have the image: kind then pulls it, through the engine.
    expect(() => docker(['image', 'inspect', 'kindest/node:v1.34.0'])).toThrow()
    const run = await runCli(['up', '--cluster', cluster, '--no-forward'], {
      ...env,
      DOCKER_HOST: inject('dockerHost'),
    })
    const log = expectReported(run, {
      code: 5,
      cause:
        /^the node image kindest\/node:v1\.34\.0 could not be pulled: Docker reaches no registry \(network, DNS or proxy\)$/,
      fix: /docker load -i node\.tar.*--node-image/,
      step: `Create kind cluster "${cluster}"`,
      toolLine: `ERROR: failed to create cluster: failed to pull image "kindest/node:v1.34.0": command "docker pull kindest/node:v1.34.0" failed with error: exit status 1`,
    })
    expect(log!.startsWith(join(dir, 'state', 'logs'))).toBe(true)
    expect(existsSync(log!)).toBe(true)
    expect(readFileSync(log!, 'utf8')).toMatch(/^Command Output: Error response from daemon: /m)
  })
})

describe('the offline path', () => {
  it('a mirror: --node-image from it and global.imageRegistry for every chart image', async () => {
    const environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
    try {
      const mirror = 'mirror.example:5000'
      const run = await runCli(
        [
          'up',
          '--no-forward',
          '--json',
          '--node-image',
          `${mirror}/kindest/node:v1.34.0`,
          '--set',
          `global.imageRegistry=${mirror}`,
        ],
        environment.env,
      )
      expect(run.code, run.stderr).toBe(0)
      const create = environment
        .calls()
        .find((call) => call.tool === 'kind' && call.argv[0] === 'create')
      expect(create?.argv).toEqual(
        expect.arrayContaining(['--image', `${mirror}/kindest/node:v1.34.0`]),
      )
      const images = execFileSync(
        join(environment.binDir, 'kubectl'),
        [
          '--context',
          'kind-geniro-dev',
          'get',
          'pods',
          '-n',
          'geniro',
          '-o',
          'jsonpath={.items[*].spec.containers[*].image}',
        ],
        {env: environment.env, encoding: 'utf8'},
      )
        .split(/\s+/)
        .filter(Boolean)
      expect(images.length).toBeGreaterThan(3)
      for (const image of images) expect(image.startsWith(`${mirror}/`), image).toBe(true)
    } finally {
      environment.cleanup()
    }
  })
})
