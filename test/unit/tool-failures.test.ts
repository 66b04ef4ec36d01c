import {describe, expect, it} from 'vitest'
import {formatToolFailure} from '../../src/cli/error-output.js'
import {ToolFailedError} from '../../src/core/errors.js'
import {kindFitFor, nodeImageTag} from '../../src/core/kind-releases.js'
import {
  kindTooOld,
  maskSecrets,
  recognizeFailure,
  redactArgs,
  type KnownFailure,
} from '../../src/core/tool-failures.js'
import {FAILURES} from '../fakes/lib/failures.mjs'

const KIND_CREATE = [
  'create',
  'cluster',
  '--name',
  'geniro-dev',
  '--image',
  'kindest/node:v1.34.0',
  '--wait',
  '120s',
]

/** A replayed failure's text, as exec hands it to recognition (stderr, then stdout). */
function replayed(name: string, tool: string, args: string[]): KnownFailure | undefined {
  const flag = (wanted: string) => {
    const at = args.indexOf(`--${wanted}`)
    return at < 0 ? undefined : args[at + 1]
  }
  const {code, stdout = '', stderr} = FAILURES[name]!({argv: args, flag})
  return recognizeFailure({tool, args, exitCode: code, output: `${stderr}\n${stdout}`})
}

function expectOneLine(known: KnownFailure | undefined): KnownFailure {
  expect(known).toBeDefined()
  expect(known!.cause).not.toMatch(/\n/)
  expect(known!.fix).not.toMatch(/\n/)
  expect(known!.cause.length).toBeGreaterThan(10)
  expect(known!.fix.length).toBeGreaterThan(10)
  return known!
}

describe('recognising the tools’ real failure messages', () => {
  const MINIKUBE_START = ['start', '-p', 'geniro-dev', '--kubernetes-version=v1.34.0']
  const HELM_UPGRADE = ['upgrade', '--install', 'geniro', 'chart', '--namespace', 'geniro']
  const cases: Array<[scenario: string, tool: string, args: string[], id: string, cause: RegExp]> =
    [
      [
        'kind-image-offline',
        'kind',
        KIND_CREATE,
        'kind-image-offline',
        /^the node image kindest\/node:v1\.34\.0 could not be pulled: Docker reaches no registry/,
      ],
      ['kind-image-missing', 'kind', KIND_CREATE, 'kind-image-missing', /does not exist/],
      ['kind-image-denied', 'kind', KIND_CREATE, 'kind-image-denied', /refused to let Docker pull/],
      ['kind-image-rate-limited', 'kind', KIND_CREATE, 'kind-image-rate-limited', /rate limit/],
      ['docker-disk-full', 'kind', KIND_CREATE, 'disk-full', /disk Docker writes to is full/],
      ['kind-port-in-use', 'kind', KIND_CREATE, 'port-in-use', /^port 6443 on 127\.0\.0\.1 is/],
      ['kind-port-allocated', 'kind', KIND_CREATE, 'port-in-use', /^port 6443 on 127\.0\.0\.1 is/],
      ['kind-cgroups', 'kind', KIND_CREATE, 'kind-cgroups', /cgroups/],
      ['kind-network-pools', 'kind', KIND_CREATE, 'kind-network-pools', /no free address range/],
      ['kind-node-boot', 'kind', KIND_CREATE, 'kind-node-boot', /never finished booting/],
      [
        'kind-node-setup',
        'kind',
        KIND_CREATE,
        'kind-node-setup',
        /failed to init node with kubeadm/,
      ],
      ['kind-inotify', 'kind', KIND_CREATE, 'inotify-limits', /inotify/],
      [
        'docker-permission-denied',
        'kind',
        ['get', 'clusters'],
        'docker-permission-denied',
        /permission denied on unix:\/\/\/var\/run\/docker\.sock$/,
      ],
      [
        'minikube-driver-missing',
        'minikube',
        MINIKUBE_START,
        'minikube-driver-missing',
        /DRV_NOT_DETECTED/,
      ],
      [
        'minikube-driver-not-running',
        'minikube',
        MINIKUBE_START,
        // minikube quotes the Docker CLI: the engine is what to start.
        'docker-not-running',
        /^Docker is not running: nothing answers at unix:\/\/\/var\/run\/docker\.sock$/,
      ],
      [
        'minikube-cpus',
        'minikube',
        MINIKUBE_START,
        'minikube-cpus',
        /cpu count 4 is greater than the available cpus of 2/,
      ],
      [
        'minikube-memory',
        'minikube',
        MINIKUBE_START,
        'minikube-memory',
        /8192MB is more than your system limit/,
      ],
      [
        'minikube-kubernetes-version',
        'minikube',
        MINIKUBE_START,
        'minikube-kubernetes-version',
        /not supported/,
      ],
      [
        'helm-cluster-unreachable',
        'helm',
        HELM_UPGRADE,
        'helm-cluster-unreachable',
        /cannot reach/,
      ],
      [
        'helm-release-pending',
        'helm',
        HELM_UPGRADE,
        'helm-release-pending',
        /unfinished Helm operation/,
      ],
    ]

  it.each(cases)('%s → one line of cause and one of fix', (scenario, tool, args, id, cause) => {
    const known = expectOneLine(replayed(scenario, tool, args))
    expect(known.id).toBe(id)
    expect(known.cause).toMatch(cause)
  })

  it('leaves "cluster exists" to the kind adapter, which refuses it with exit 3', () => {
    expect(replayed('kind-cluster-exists', 'kind', KIND_CREATE)).toBeUndefined()
  })

  it('reads the Docker CLI’s “engine not running” in its old and new words', () => {
    // Captured from the docker 28.2 CLI here; moby/moby client 29 (request.go) for the second.
    const old = recognizeFailure({
      tool: 'docker',
      args: ['info'],
      output:
        'Cannot connect to the Docker daemon at unix:///tmp/nonexist.sock. Is the docker daemon running?',
    })
    expect(old).toMatchObject({
      id: 'docker-not-running',
      cause: 'Docker is not running: nothing answers at unix:///tmp/nonexist.sock',
    })
    const next = recognizeFailure({
      tool: 'docker',
      args: ['info'],
      output:
        'failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory',
    })
    expect(next?.cause).toBe(
      'Docker is not running: nothing answers at unix:///var/run/docker.sock',
    )
    expect(next?.fix).toMatch(/systemctl start docker/)
  })

  it('names the first value a Helm 3 or Helm 4 schema check refused, exit 3', () => {
    // helm/helm pkg/cmd/testdata/output/schema-negative.txt (4.x) and cmd/helm/testdata (3.17).
    const helm4 = recognizeFailure({
      tool: 'helm',
      args: ['upgrade'],
      output: [
        "Error: INSTALLATION FAILED: values don't meet the specifications of the schema(s) in the following chart(s):",
        'empty:',
        "- at '': missing property 'employmentInfo'",
        "- at '/age': minimum: got -5, want 0",
      ].join('\n'),
    })
    expect(helm4).toMatchObject({
      id: 'helm-values-schema',
      cause: "the values break the chart's schema: missing property 'employmentInfo' (and 1 more)",
      exitCodeName: 'userError',
    })
    const helm3 = recognizeFailure({
      tool: 'helm',
      args: ['upgrade'],
      output: [
        "Error: UPGRADE FAILED: values don't meet the specifications of the schema(s) in the following chart(s):",
        'geniro:',
        '- api.replicaCount: Invalid type. Expected: integer, given: string',
      ].join('\n'),
    })
    expect(helm3?.cause).toBe(
      "the values break the chart's schema: api.replicaCount: Invalid type. Expected: integer, given: string",
    )
    const nested = recognizeFailure({
      tool: 'helm',
      args: ['upgrade'],
      output:
        "values don't meet the specifications of the schema(s) in the following chart(s):\ngeniro:\n- at '/api/replicaCount': got string, want integer",
    })
    expect(nested?.cause).toBe(
      "the values break the chart's schema: api.replicaCount: got string, want integer",
    )
  })

  it('says which resource a Helm wait gave up on, and where to look', () => {
    const known = recognizeFailure({
      tool: 'helm',
      args: ['upgrade', '--install', 'geniro', 'chart', '--namespace', 'geniro', '--wait=watcher'],
      output: [
        'Error: UPGRADE FAILED: resource Deployment/geniro/geniro-api not ready. status: InProgress, message: Available: 0/1',
        'context deadline exceeded',
      ].join('\n'),
    })
    expect(known).toMatchObject({
      id: 'helm-wait-timeout',
      cause:
        'the release was not ready within --timeout (Deployment/geniro/geniro-api is InProgress: Available: 0/1)',
    })
    expect(known?.fix).toContain('kubectl get pods -n geniro')
    // Helm 3's legacy wait says only that the deadline passed.
    expect(
      recognizeFailure({
        tool: 'helm',
        args: [],
        output: 'Error: UPGRADE FAILED: context deadline exceeded',
      })?.cause,
    ).toBe('the release was not ready within --timeout')
  })

  it('reads each tool’s words only where that tool said them', () => {
    // kubectl's own "address already in use" is not a node's API port.
    expect(
      recognizeFailure({
        tool: 'kubectl',
        args: ['port-forward'],
        output:
          'Unable to listen on port 15000: listen tcp4 127.0.0.1:15000: bind: address already in use',
      }),
    ).toBeUndefined()
    expect(
      recognizeFailure({tool: 'kubectl', args: [], output: 'context deadline exceeded'}),
    ).toBeUndefined()
    expect(
      recognizeFailure({tool: 'kind', args: [], output: 'ERROR: something new'}),
    ).toBeUndefined()
  })
})

describe('kind against the node image', () => {
  it('knows which kind release published which image', () => {
    expect(kindFitFor('kind v0.27.0 go1.24.4 linux/amd64', 'kindest/node:v1.34.0')).toEqual({
      fit: 'too-old',
      firstKind: '0.30.0',
      minor: '1.34',
      builtFor: '0.30.0',
    })
    expect(kindFitFor('kind v0.27.0', 'kindest/node:v1.29.14')).toEqual({
      fit: 'ok',
      builtFor: '0.27.0',
    })
    expect(kindFitFor('kind v0.27.0', 'kindest/node:v1.32.8')).toEqual({
      fit: 'older',
      builtFor: '0.30.0',
    })
    // The tag carries the build of the last release that listed it.
    expect(kindFitFor('kind v0.28.0', 'kindest/node:v1.30.13')).toEqual({
      fit: 'older',
      builtFor: '0.29.0',
    })
    // A patch no release listed: only the minor counts.
    expect(kindFitFor('kind v0.30.0', 'kindest/node:v1.34.7')).toEqual({fit: 'ok'})
    expect(kindFitFor('kind v0.29.0', 'kindest/node:v1.34.7')).toMatchObject({fit: 'too-old'})
    expect(kindFitFor('kind v0.30.0', 'registry.example/kind-node:custom')).toEqual({
      fit: 'unknown',
    })
    expect(kindFitFor('kind v0.30.0', 'kindest/node:v1.99.0')).toEqual({fit: 'unknown'})
    expect(nodeImageTag('docker.io/kindest/node:v1.34.0@sha256:abc123')).toBe('v1.34.0')
  })

  it('explains a failed node setup by kind’s age, and nothing else', () => {
    const setup = replayed('kind-node-setup', 'kind', KIND_CREATE)
    const tooOld = expectOneLine(
      kindTooOld(setup, 'kind v0.27.0 go1.24.4 linux/amd64', 'kindest/node:v1.34.0'),
    )
    expect(tooOld).toMatchObject({
      id: 'kind-too-old',
      cause:
        'kind v0.27.0 is older than Kubernetes 1.34: kindest/node:v1.34.0 needs kind v0.30.0 or newer',
    })
    expect(tooOld.fix).toMatch(/^install kind v0\.30\.0 or newer/)
    expect(kindTooOld(setup, 'kind v0.27.0', 'kindest/node:v1.32.8')?.cause).toBe(
      'kindest/node:v1.32.8 was built for kind v0.30.0, newer than this kind v0.27.0',
    )
    expect(kindTooOld(setup, 'kind v0.27.0', 'kindest/node:v1.29.14')).toBeUndefined()
    // A pull that found no registry is not kind's age.
    const offline = replayed('kind-image-offline', 'kind', KIND_CREATE)
    expect(kindTooOld(offline, 'kind v0.27.0', 'kindest/node:v1.34.0')).toBeUndefined()
    expect(kindTooOld(undefined, 'kind v0.27.0', 'kindest/node:v1.34.0')).toBeUndefined()
  })
})

describe('secrets stay out of what is shown and logged', () => {
  it('redacts the values of --set-like flags in a command line', () => {
    expect(
      redactArgs([
        'upgrade',
        '--set',
        'secrets.key=sk-1',
        '--set-string=a=b',
        '--values',
        'f.yaml',
      ]),
    ).toEqual(['upgrade', '--set', '***', '--set-string=***', '--values', 'f.yaml'])
  })

  it('masks secrets in a tool’s words, a longer one before a part of it', () => {
    expect(maskSecrets('db "sk-live-42" and sk-live', ['sk-live', 'sk-live-42'])).toBe(
      'db "***" and ***',
    )
    expect(maskSecrets('nothing', [])).toBe('nothing')
  })
})

describe('a tool failure as the user sees it', () => {
  const offline = (() => {
    const {stderr} = FAILURES['kind-image-offline']!({argv: KIND_CREATE, flag: () => undefined})
    return stderr
  })()

  function failure(known?: KnownFailure): ToolFailedError {
    const lines = offline.split('\n').filter(Boolean)
    return new ToolFailedError('kind create cluster --name geniro-dev', 1, lines, undefined, {
      output: {stdout: '', stderr: offline},
      known,
    })
  }

  it('keeps the tool’s last lines as lines, the one-line message joined', () => {
    const error = failure()
    expect(error.outputLines).toContain('Creating cluster "kind" ...')
    expect(error.message).toMatch(
      /^`kind create cluster --name geniro-dev` exited with 1: Creating/,
    )
    expect(error.message).not.toMatch(/\n/)
    expect(error.exitCode).toBe(5)
  })

  it('prints the cause, the lines once, the log and the fix', () => {
    const known = recognizeFailure({tool: 'kind', args: KIND_CREATE, output: offline})!
    const error = failure(known)
    error.logFile = '/state/logs/1-kind-create-cluster.log'
    const text = formatToolFailure(error)
    const lines = text.split('\n')
    expect(lines[0]).toBe(`Error: ${known.cause}`)
    expect(lines[1]).toBe(
      '  `kind create cluster --name geniro-dev` exited with 1; its last lines:',
    )
    expect(lines).toContain('    Creating cluster "kind" ...')
    expect(text.split('network is unreachable').length - 1).toBe(1)
    expect(lines).toContain('  Full output: /state/logs/1-kind-create-cluster.log')
    expect(lines.at(-2)).toBe(`Hint: ${known.fix}`)
    expect(error.toJSON()).toMatchObject({
      kind: 'toolFailed',
      exitCode: 5,
      failure: 'kind-image-offline',
      cause: known.cause,
      fix: known.fix,
      logFile: '/state/logs/1-kind-create-cluster.log',
      outputTail: error.outputLines,
    })
  })

  it('--debug prints all of the output, not only its tail', () => {
    const long = Array.from({length: 20}, (_, i) => `line ${i + 1}`).join('\n')
    const error = new ToolFailedError('helm upgrade', 1, ['line 20'], undefined, {
      output: {stdout: '', stderr: long},
    })
    expect(formatToolFailure(error)).not.toContain('line 1\n')
    const debug = formatToolFailure(error, true)
    expect(debug).toContain('; its output:')
    expect(debug).toContain('    line 1\n')
    expect(debug).toContain('    line 20\n')
  })

  it('a recognised failure may carry a better documented exit code', () => {
    const error = new ToolFailedError('helm upgrade', 1, [], undefined, {
      known: {id: 'helm-values-schema', cause: 'c', fix: 'f', exitCodeName: 'userError'},
    })
    expect(error.exitCode).toBe(3)
    expect(error.hint).toBe('f')
    expect(error.explainedAs({id: 'x', cause: 'c2', fix: 'f2'}).exitCode).toBe(5)
  })
})
