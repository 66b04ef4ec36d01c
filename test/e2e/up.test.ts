/**
 * `up`, `down`, `status` and `values` as a user runs them (bin/run.js), against the fakes of
 * kind, kubectl and helm from test/fakes (no Kubernetes node can run here), the REAL Docker
 * engine (fake kind nodes are real containers), the real `kind get clusters`, and the real
 * `helm template` behind every fake install.
 */
import {execFileSync, spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {fakeLeftovers} from '../support/processes.js'
import {BIN, runCli} from '../support/run-cli.js'
import {expectJson, runCliChecked, upResultSchema} from '../support/schemas.js'
import {TOOLS, dockerCli} from '../support/toolchain.js'

let environments: FakeEnvironment[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  environments = []
})

function fakes(helm: 'helm4' | 'helm3' = 'helm4', withMinikube = false): FakeEnvironment {
  const environment = fakeEnvironment({helm, withMinikube, dockerHost: inject('dockerHost')})
  environments.push(environment)
  return environment
}

let upResultsChecked = 0

/** Runs the CLI; every successful `--json` run here (`up`'s too) is checked against its schema. */
async function cli(
  environment: FakeEnvironment,
  args: string[],
  extraEnv: Record<string, string> = {},
) {
  const run = await runCliChecked(args, {...environment.env, ...extraEnv})
  if (args[0] === 'up' && args.includes('--json') && run.code === 0) upResultsChecked++
  return run
}

function kubectl(environment: FakeEnvironment, args: string[]): string {
  return execFileSync(join(environment.binDir, 'kubectl'), args, {
    env: environment.env,
    encoding: 'utf8',
  }).trim()
}

/** A user's kubeconfig with a context of their own, current before geniro-dev runs. */
function userContext(environment: FakeEnvironment): void {
  writeFileSync(
    environment.kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: work, cluster: {server: "https://10.0.0.1:6443"}}]',
      'users: [{name: work, user: {token: x}}]',
      'contexts: [{name: work, context: {cluster: work, user: work}}]',
      'current-context: work',
      '',
    ].join('\n'),
  )
}

function helmHistory(environment: FakeEnvironment): Array<{status: string}> {
  const args = [
    'history',
    'geniro',
    '--namespace',
    'geniro',
    '--kube-context',
    'kind-geniro-dev',
    '--output',
    'json',
  ]
  return JSON.parse(
    execFileSync(join(environment.binDir, 'helm'), args, {env: environment.env, encoding: 'utf8'}),
  )
}

const mutatingArgv = (environment: FakeEnvironment) =>
  environment.mutatingCalls().map((call) => [call.tool, ...call.argv].join(' '))

describe('geniro-dev up', () => {
  it('from nothing: creates the kind cluster, installs the chart, keeps the user’s context', async () => {
    const environment = fakes()
    userContext(environment)
    const run = await cli(environment, ['up', '--json'])
    expect(run.stderr).toBe('')
    expect(run.code, run.stdout).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({
      provider: 'kind',
      cluster: 'geniro-dev',
      kubeContext: 'kind-geniro-dev',
      clusterAction: 'created',
      releaseAction: 'installed',
      mode: 'isolated',
    })
    expect(result.urls.map((u: {url: string}) => u.url)).toContain('http://localhost:15000')
    // The local-development values seed a realm user; up says how to sign in.
    expect(result.login).toMatchObject({
      url: 'http://localhost:14173',
      username: 'geniro',
      secret: 'geniro-secrets',
      key: 'keycloak-seed-user-password',
    })
    expect(result.login.passwordCommand.slice(0, 3)).toEqual([
      'kubectl',
      '--context',
      'kind-geniro-dev',
    ])
    const create = environment
      .calls()
      .find((call) => call.tool === 'kind' && call.argv[0] === 'create')
    expect(create?.argv).toEqual(
      expect.arrayContaining(['--name', 'geniro-dev', '--image', 'kindest/node:v1.34.0']),
    )
    const upgrade = environment
      .calls()
      .find((call) => call.tool === 'helm' && call.argv[0] === 'upgrade')
    expect(upgrade?.argv).toEqual(
      expect.arrayContaining([
        '--kube-context',
        'kind-geniro-dev',
        '--wait=watcher',
        '--wait-for-jobs',
      ]),
    )
    // The real kind sees the cluster (its node is a real container on the engine).
    const clusters = execFileSync(TOOLS.kind, ['get', 'clusters'], {
      env: environment.env,
      encoding: 'utf8',
    })
    expect(clusters.split('\n')).toContain('geniro-dev')
    expect(kubectl(environment, ['config', 'current-context'])).toBe('work')
  })

  it('re-run on a healthy environment: zero mutating calls', async () => {
    const environment = fakes()
    expect((await cli(environment, ['up', '--json'])).code).toBe(0)
    const before = environment.mutatingCalls().length
    const again = await cli(environment, ['up', '--json'])
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({
      clusterAction: 'reused',
      releaseAction: 'unchanged',
    })
    expect(mutatingArgv(environment).slice(before)).toEqual([])
    const changed = await cli(environment, ['up', '--json', '--set', 'api.replicaCount=2'])
    expect(JSON.parse(changed.stdout)).toMatchObject({releaseAction: 'upgraded'})
  })

  it('starts a stopped cluster instead of creating one', async () => {
    const environment = fakes()
    expect((await cli(environment, ['up', '--json'])).code).toBe(0)
    execFileSync(dockerCli(), ['stop', '--time', '1', 'geniro-dev-control-plane'], {
      env: environment.env,
    })
    const run = await cli(environment, ['up', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({clusterAction: 'started'})
    const running = execFileSync(
      dockerCli(),
      ['inspect', '--format', '{{.State.Running}}', 'geniro-dev-control-plane'],
      {
        env: environment.env,
        encoding: 'utf8',
      },
    )
    expect(running.trim()).toBe('true')
  })

  it('on minikube: a profile started with --keep-context, and the profile’s context everywhere', async () => {
    const environment = fakes('helm4', true)
    userContext(environment)
    const run = await cli(environment, ['up', '--provider', 'minikube', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      provider: 'minikube',
      kubeContext: 'geniro-dev',
      clusterAction: 'created',
    })
    const start = environment
      .calls()
      .find((call) => call.tool === 'minikube' && call.argv[0] === 'start')
    expect(start?.argv).toEqual(
      expect.arrayContaining([
        '-p',
        'geniro-dev',
        '--keep-context',
        '--kubernetes-version=v1.34.0',
      ]),
    )
    expect(kubectl(environment, ['config', 'current-context'])).toBe('work')
    const again = await cli(environment, ['up', '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({
      provider: 'minikube',
      releaseAction: 'unchanged',
    })
  })

  it('Helm 3 gets a plain --wait', async () => {
    const environment = fakes('helm3')
    const run = await cli(environment, ['up', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const upgrade = environment
      .calls()
      .find((call) => call.tool === 'helm' && call.argv[0] === 'upgrade')
    expect(upgrade?.argv).toContain('--wait')
    expect(upgrade?.argv).not.toContain('--wait=watcher')
  })

  it('an install failure shows the failing pod’s events and logs, exit 5', async () => {
    const environment = fakes()
    environment.failRelease({
      component: 'api',
      reason: 'CrashLoopBackOff',
      message: 'back-off restarting failed container',
      logs: 'Error: connect ECONNREFUSED 10.96.0.12:5432',
    })
    const run = await cli(environment, ['up'], {GENIRO_FAKE_HELM_WAIT_MS: '200'})
    expect(run.code).toBe(5)
    expect(run.stderr).toMatch(/Pod geniro-api-\S+ \(api\) is not ready: CrashLoopBackOff/)
    expect(run.stderr).toContain('Error: connect ECONNREFUSED 10.96.0.12:5432')
    expect(run.stderr).toMatch(/event Warning BackOff/)
    expect(run.stderr).toMatch(/Hint: the pods above show why/)
  })

  it('refuses --recreate without --yes, and a non-local context, changing nothing', async () => {
    const environment = fakes()
    expect((await cli(environment, ['up', '--json'])).code).toBe(0)
    const before = environment.mutatingCalls().length
    const recreate = await cli(environment, ['up', '--recreate'])
    expect(recreate.code).toBe(3)
    expect(recreate.stderr).toContain(
      'refusing to recreate the cluster "geniro-dev" without confirmation',
    )
    const remote = await cli(environment, ['up', '--kube-context', 'prod-eu'])
    expect(remote.code).toBe(3)
    expect(remote.stderr).toContain('refusing kube context "prod-eu"')
    expect(mutatingArgv(environment).slice(before)).toEqual([])
    const confirmed = await cli(environment, ['up', '--recreate', '--yes', '--json'])
    expect(JSON.parse(confirmed.stdout)).toMatchObject({
      clusterAction: 'recreated',
      releaseAction: 'installed',
    })
  })

  it('--dry-run --json prints each step with its exact argv and changes nothing', async () => {
    const environment = fakes()
    const run = await cli(environment, ['up', '--dry-run', '--json'])
    expect(run.code).toBe(0)
    const {steps} = JSON.parse(run.stdout)
    expect(steps[0].command.slice(0, 4)).toEqual(['kind', 'create', 'cluster', '--name'])
    expect(steps[1].command.slice(0, 3)).toEqual(['helm', 'upgrade', '--install'])
    expect(environment.mutatingCalls()).toEqual([])
  })

  it('bad input gets one line and a documented exit code, and nothing runs', async () => {
    const environment = fakes()
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['up', '--provider', 'docker'],
        2,
        /Expected --provider=docker to be one of: kind, minikube/,
      ],
      [['up', '--cluster', 'Bad_Name'], 2, /invalid cluster name "Bad_Name"/],
      [
        ['up', '-f', '/nonexistent/values.yaml'],
        3,
        /values file \/nonexistent\/values.yaml does not exist/,
      ],
      [['up', '--set', 'api..x=1'], 2, /bad --set "api..x=\*\*\*"/],
      [['up', '--k8s-version', '1.20'], 2, /below the chart's minimum/],
      [['up', '--timeout', 'soon'], 2, /--timeout "soon" is not a duration/],
    ]
    for (const [args, code, message] of cases) {
      const run = await cli(environment, args)
      expect(run.code, args.join(' ')).toBe(code)
      expect(run.stderr.split('\n')[0]).toMatch(message)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
    const noDocker = await cli(environment, ['up'], {
      DOCKER_HOST: 'unix:///tmp/gdev-no-engine.sock',
    })
    expect(noDocker.code).toBe(3)
    expect(noDocker.stderr).toMatch(/^Error: Docker is not running or not reachable/)
    const noTools = await runCli(['up'], {...environment.env, PATH: '/nonexistent'})
    expect(noTools.code).toBe(4)
    expect(noTools.stderr).toMatch(/^Error: kind or minikube is not installed or not on PATH/)
    expect(environment.mutatingCalls()).toEqual([])
  })

  it('Ctrl-C in the middle leaves no child process behind and exits 130', async () => {
    const environment = fakes()
    environment.failRelease({component: 'api'})
    const child = spawn(process.execPath, [BIN, 'up'], {
      env: {...environment.env, GENIRO_FAKE_HELM_WAIT_MS: '60000'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const deadline = Date.now() + 30_000
    while (
      !environment.calls().some((call) => call.tool === 'helm' && call.argv[0] === 'upgrade') &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // Interrupt while helm waits for the pods, with its revision recorded as pending.
    const pending = () => {
      try {
        return helmHistory(environment).at(-1)?.status === 'pending-install'
      } catch {
        return false
      }
    }
    while (!pending() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100))
    expect(pending()).toBe(true)
    child.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(code, stderr).toBe(130)
    expect(fakeLeftovers(environment.stateDir)).toEqual([])
    // Helm was stopped while it waited: its revision is pending. A re-run finishes the job.
    environment.failRelease(null)
    const rerun = await cli(environment, ['up', '--json'])
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(JSON.parse(rerun.stdout).steps.map((step: {title: string}) => step.title)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Remove the unfinished install of "geniro" \(revision 1 is pending-install\)/,
        ),
      ]),
    )
    const status = JSON.parse((await cli(environment, ['status', '--json'])).stdout)
    expect(status.release).toMatchObject({status: 'deployed'})
  })
})

describe('geniro-dev down, status and values', () => {
  it('down twice exits 0 both times; --delete-cluster needs --yes', async () => {
    const environment = fakes()
    expect((await cli(environment, ['up', '--json'])).code).toBe(0)
    const first = await cli(environment, ['down', '--json'])

    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({releaseRemoved: true, clusterDeleted: false})
    const second = await cli(environment, ['down', '--json'])
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({releaseRemoved: false})
    const refused = await cli(environment, ['down', '--delete-cluster'])
    expect(refused.code).toBe(3)
    const deleted = await cli(environment, ['down', '--delete-cluster', '--yes', '--json'])
    expect(JSON.parse(deleted.stdout)).toMatchObject({clusterDeleted: true})
    expect((await cli(environment, ['down', '--delete-cluster', '--yes'])).code).toBe(0)
  })

  it('status --json has the documented shape, with pods per component', async () => {
    const environment = fakes()
    const before = await cli(environment, ['status', '--json'])
    expect(before.code).toBe(0)
    expect(expectJson('status.schema.json', before.stdout)).toMatchObject({
      cluster: {state: 'absent'},
      release: null,
    })
    expect((await cli(environment, ['up', '--json'])).code).toBe(0)
    const after = expectJson(
      'status.schema.json',
      (await cli(environment, ['status', '--json'])).stdout,
    )
    expect(after).toMatchObject({
      cluster: {state: 'running'},
      mode: 'isolated',
      release: {status: 'deployed', revision: 1},
    })
    expect(after.components).toContainEqual({component: 'api', ready: 1, total: 1})
  })

  it('values prints YAML that the real helm template renders', async () => {
    const environment = fakes()
    const run = await cli(environment, ['values', '--set', 'api.replicaCount=2'])
    expect(run.code).toBe(0)
    const file = join(environment.dir, 'values.yaml')
    writeFileSync(file, run.stdout)
    const chart = new URL('../../helm/geniro', import.meta.url).pathname
    const rendered = execFileSync(TOOLS.helm4, ['template', 'geniro', chart, '-f', file], {
      encoding: 'utf8',
    })
    expect(rendered).toMatch(/kind: Deployment\nmetadata:\n {2}name: geniro-api[\s\S]*?replicas: 2/)
  })
})

describe('the up --json schema', () => {
  it('was checked against real results above, and refuses a result with an unknown field', () => {
    expect(upResultsChecked).toBeGreaterThan(3)
    expect(upResultSchema({dryRun: false, surprise: 1})).toBe(false)
  })
})
