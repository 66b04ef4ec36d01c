/**
 * The context guard proves a context by its API server, not its name: a `kind-geniro-dev`
 * context from another kubeconfig file that points at a remote server gets no call that
 * changes anything (the fakes of kind, kubectl and helm; the real kubectl resolves the
 * kubeconfig files; the remote address is never contacted).
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

let environments: FakeEnvironment[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  environments = []
})

function fakes(): FakeEnvironment {
  const environment = fakeEnvironment({
    helm: 'helm4',
    withMinikube: false,
    dockerHost: inject('dockerHost'),
  })
  environments.push(environment)
  return environment
}

/** A kubeconfig file of its own defining `context` at `server` (first on $KUBECONFIG, it wins). */
function shadowingKubeconfig(environment: FakeEnvironment, context: string, server: string) {
  const file = join(environment.stateDir, 'other-kubeconfig')
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: elsewhere, cluster: {server: "${server}"}}]`,
      'users: [{name: elsewhere, user: {token: x}}]',
      `contexts: [{name: ${context}, context: {cluster: elsewhere, user: elsewhere}}]`,
      '',
    ].join('\n'),
  )
  return `${file}:${environment.kubeconfig}`
}

describe('the context guard checks the API server behind the context name', () => {
  it('refuses up, down and status when kind-geniro-dev leads to a remote server, changing nothing', async () => {
    const environment = fakes()
    expect((await runCli(['up', '--no-forward', '--json'], environment.env)).code).toBe(0)
    const before = environment.mutatingCalls().length
    const since = new Date().toISOString()
    const env = {
      ...environment.env,
      KUBECONFIG: shadowingKubeconfig(environment, 'kind-geniro-dev', 'https://10.255.0.1:6443'),
    }
    for (const args of [['up', '--force-upgrade'], ['down'], ['status']]) {
      const run = await runCli(args, env)
      expect(run.code, args.join(' ')).toBe(3)
      expect(run.stderr.split('\n')[0]).toBe(
        'Error: refusing kube context "kind-geniro-dev": its API server https://10.255.0.1:6443 is not the local kind cluster "geniro-dev" (loopback or the cluster\'s node address)',
      )
    }
    expect(environment.mutatingCalls().slice(before)).toEqual([])
    // Not even a read: helm never saw the context.
    const helmCalls = environment
      .calls()
      .filter((c) => c.time > since && c.tool === 'helm' && c.argv.includes('kind-geniro-dev'))
    expect(helmCalls).toEqual([])
  })

  it('accepts the cluster at its node container address, as `kind get kubeconfig --internal` writes it', async () => {
    const environment = fakes()
    expect((await runCli(['up', '--no-forward', '--json'], environment.env)).code).toBe(0)
    const env = {
      ...environment.env,
      KUBECONFIG: shadowingKubeconfig(
        environment,
        'kind-geniro-dev',
        'https://geniro-dev-control-plane:6443',
      ),
    }
    // The check passes; the fakes answer by context, whatever the server.
    const run = await runCli(['status', '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    expectJson('status.schema.json', run.stdout)
  })

  it('refuses a managed context that no kubeconfig defines, naming how to restore it', async () => {
    const environment = fakes()
    expect((await runCli(['up', '--no-forward', '--json'], environment.env)).code).toBe(0)
    const empty = join(environment.stateDir, 'empty-kubeconfig')
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\n')
    const run = await runCli(['down'], {...environment.env, KUBECONFIG: empty})
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(
      'kube context "kind-geniro-dev" of the local kind cluster "geniro-dev" is not in your kubeconfig',
    )
    expect(run.stderr).toContain('kind export kubeconfig --name geniro-dev')
  })
})
