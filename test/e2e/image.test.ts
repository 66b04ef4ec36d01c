/**
 * `image load`, `build`, `up --image` and `image reset` as a user runs them: images built by the
 * REAL Docker engine of the tests (from the local busybox image: nothing can be pulled), loaded
 * through the fake kind (which checks the image is in the engine and records what each node
 * holds) or the fake minikube, and rolled out by the fake helm, which renders with the real
 * `helm template`: the installed manifest shows which image each Deployment runs.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {randomBytes} from 'node:crypto'
import {parseAllDocuments} from 'yaml'
import {afterEach, describe, expect, inject, it} from 'vitest'
import {busyboxImageTag, dockerOn} from '../support/busybox-image.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {expectJson, runCliChecked} from '../support/schemas.js'

let environments: FakeEnvironment[] = []
let images: string[] = []
let dirs: string[] = []

afterEach(() => {
  for (const environment of environments) environment.cleanup()
  if (images.length > 0) {
    try {
      dockerOn(inject('dockerHost'), ['rmi', '--force', ...images])
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
  environments = []
  images = []
  dirs = []
})

function fakes(withMinikube = false): FakeEnvironment {
  const environment = fakeEnvironment({
    helm: 'helm4',
    withMinikube,
    dockerHost: inject('dockerHost'),
  })
  environments.push(environment)
  return environment
}

/** Runs the CLI; every successful --json run is checked against its command's schema. */
async function cli(
  environment: FakeEnvironment,
  args: string[],
  extraEnv: Record<string, string> = {},
) {
  return runCliChecked(args, {...environment.env, ...extraEnv})
}

/** Runs and expects success, showing what went wrong otherwise. */
async function ok(environment: FakeEnvironment, args: string[]) {
  const run = await cli(environment, args)
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0)
  return run
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdev-image-'))
  dirs.push(dir)
  return dir
}

/** A Dockerfile over the local busybox image: builds offline, and each `marker` is new content. */
function dockerfile(marker: string): string {
  return `FROM ${busyboxImageTag()}\nRUN echo ${marker} > /marker\n`
}

/** `docker build` with the real engine; the image's tag is unique to the test run. */
function buildImage(name: string, marker = randomBytes(4).toString('hex')): string {
  const dir = tempDir()
  writeFileSync(join(dir, 'Dockerfile'), dockerfile(marker))
  const tag = `${name}:${randomBytes(3).toString('hex')}`
  dockerOn(inject('dockerHost'), ['build', '--quiet', '--tag', tag, dir])
  images.push(tag)
  return tag
}

function imageId(image: string): string {
  return dockerOn(inject('dockerHost'), ['image', 'inspect', '--format', '{{.Id}}', image]).trim()
}

interface Container {
  name: string
  image: string
  imagePullPolicy: string
}

/** The containers of the release's Deployment of a component, as Helm installed it. */
function deployedContainers(environment: FakeEnvironment, component: string): Container[] {
  const manifest = execFileSync(
    join(environment.binDir, 'helm'),
    ['get', 'manifest', 'geniro', '--namespace', 'geniro', '--kube-context', 'kind-geniro-dev'],
    {env: environment.env, encoding: 'utf8'},
  )
  const deployment = parseAllDocuments(manifest)
    .map(
      (doc) =>
        doc.toJS() as {
          kind?: string
          metadata?: {labels?: Record<string, string>}
          spec?: {template: {spec: {containers: Container[]}}}
        },
    )
    .find(
      (doc) =>
        doc?.kind === 'Deployment' &&
        doc.metadata?.labels?.['app.kubernetes.io/component'] === component,
    )
  expect(deployment, `a Deployment of ${component}`).toBeDefined()
  return deployment!.spec!.template.spec.containers
}

/** What the fake kind's nodes hold: node → containerd name → image ID. */
function loadedImages(environment: FakeEnvironment, clusterId = 'kind-geniro-dev') {
  const file = join(environment.stateDir, 'clusters', `${clusterId}.json`)
  return (
    (
      JSON.parse(readFileSync(file, 'utf8')) as {
        loadedImages?: Record<string, Record<string, string>>
      }
    ).loadedImages ?? {}
  )
}

function podNames(environment: FakeEnvironment, component: string): string[] {
  return execFileSync(
    join(environment.binDir, 'kubectl'),
    [
      'get',
      'pods',
      '--context',
      'kind-geniro-dev',
      '--namespace',
      'geniro',
      '--selector',
      `app.kubernetes.io/component=${component}`,
      '--output',
      'name',
    ],
    {env: environment.env, encoding: 'utf8'},
  )
    .split('\n')
    .filter(Boolean)
}

const helmUpgrades = (environment: FakeEnvironment) =>
  environment.calls().filter((call) => call.tool === 'helm' && call.argv[0] === 'upgrade').length

describe('geniro-dev image load and image reset', () => {
  it('loads a locally built image, the Deployment runs it, a second up keeps it, reset removes it', async () => {
    const environment = fakes()
    await ok(environment, ['up', '--no-forward', '--json'])
    const image = buildImage('gdev-e2e-web')
    const id = imageId(image)

    const run = await cli(environment, ['image', 'load', image, '--component', 'web', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    const reference = `gdev-e2e-web:gdev-${id.slice('sha256:'.length, 'sha256:'.length + 12)}`
    expect(result).toMatchObject({
      component: 'web',
      image,
      imageId: id,
      reference,
      releaseAction: 'upgraded',
    })
    // The content tag exists on the engine, for this very image.
    expect(imageId(reference)).toBe(id)
    // kind loaded that tag, as containerd names it, into the node.
    const load = environment.calls().find((c) => c.tool === 'kind' && c.argv[0] === 'load')
    expect(load?.argv).toEqual(['load', 'docker-image', reference, '--name', 'geniro-dev'])
    expect(loadedImages(environment)['geniro-dev-control-plane']).toMatchObject({
      [`docker.io/library/${reference}`]: id,
    })
    // The rendered Deployment runs it from the node, never asking a registry.
    expect(deployedContainers(environment, 'web')[0]).toMatchObject({
      image: `docker.io/library/${reference}`,
      imagePullPolicy: 'IfNotPresent',
    })
    const status = expectJson(
      'status.schema.json',
      (await cli(environment, ['status', '--json'])).stdout,
    )
    expect(status.localImages).toEqual([
      expect.objectContaining({component: 'web', image, reference, running: true}),
    ])
    expect((await cli(environment, ['status'])).stdout).toMatch(
      new RegExp(`Local images[^\\n]*\\n {2}web +${image} as ${reference}\\n?`),
    )

    // A second `up` keeps the image: nothing to upgrade, the Deployment unchanged.
    const upgrades = helmUpgrades(environment)
    const again = await cli(environment, ['up', '--no-forward', '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({releaseAction: 'unchanged'})
    expect(helmUpgrades(environment)).toBe(upgrades)
    expect(deployedContainers(environment, 'web')[0]!.image).toBe(`docker.io/library/${reference}`)
    // …and a changed `up` still runs it (the override is the last layer).
    const changed = await cli(environment, [
      'up',
      '--no-forward',
      '--json',
      '--set',
      'web.replicaCount=2',
    ])
    expect(JSON.parse(changed.stdout)).toMatchObject({releaseAction: 'upgraded'})
    expect(JSON.parse(changed.stdout).layering.at(-1)).toMatch(/^local images \(web=/)
    expect(deployedContainers(environment, 'web')[0]!.image).toBe(`docker.io/library/${reference}`)

    // Loading the image it runs changes nothing.
    const same = await cli(environment, ['image', 'load', image, '-c', 'web', '--json'])
    expect(JSON.parse(same.stdout)).toMatchObject({releaseAction: 'unchanged'})

    const reset = await cli(environment, ['image', 'reset', '--json'])
    expect(reset.code, reset.stderr).toBe(0)
    expect(JSON.parse(reset.stdout)).toMatchObject({reset: ['web'], releaseAction: 'upgraded'})
    expect(deployedContainers(environment, 'web')[0]!.image).toBe(
      'docker.io/razumru/geniro-web:0.0.0-latest',
    )
    expect(JSON.parse((await cli(environment, ['status', '--json'])).stdout).localImages).toEqual(
      [],
    )
    // The values are back exactly as `up` computes them: the same `up` changes nothing.
    const after = await cli(environment, [
      'up',
      '--no-forward',
      '--json',
      '--set',
      'web.replicaCount=2',
    ])
    expect(JSON.parse(after.stdout)).toMatchObject({releaseAction: 'unchanged'})
    const twice = await cli(environment, ['image', 'reset'])
    expect(twice.code).toBe(0)
    expect(twice.stdout).toMatch(/No local image was kept; nothing to reset/)
  })

  it('a new build is a new tag: the pods really roll', async () => {
    const environment = fakes()
    await ok(environment, ['up', '--no-forward', '--json'])
    const first = buildImage('gdev-e2e-api')
    const loaded = await ok(environment, ['image', 'load', first, '-c', 'api', '--json'])
    const firstReference = JSON.parse(loaded.stdout).reference as string
    const podsBefore = podNames(environment, 'api')
    const second = buildImage('gdev-e2e-api')
    const run = await cli(environment, ['image', 'load', second, '-c', 'api', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const reference = JSON.parse(run.stdout).reference as string
    expect(reference).toMatch(/^gdev-e2e-api:gdev-[0-9a-f]{12}$/)
    expect(reference).not.toBe(firstReference)
    expect(deployedContainers(environment, 'api')[0]!.image).toBe(`docker.io/library/${reference}`)
    const podsAfter = podNames(environment, 'api')
    expect(podsAfter).toHaveLength(1)
    expect(podsAfter).not.toEqual(podsBefore)
    // One record per component: the newer image replaced the older.
    const images = JSON.parse((await cli(environment, ['image', '--json'])).stdout).images
    expect(images).toEqual([
      expect.objectContaining({component: 'api', image: second, running: true}),
    ])
  })

  it('up --image on a fresh cluster: created, loaded, installed with it, in that order', async () => {
    const environment = fakes()
    const image = buildImage('gdev-e2e-api')
    const run = await cli(environment, ['up', '--no-forward', '--json', '--image', `api=${image}`])
    expect(run.code, run.stderr).toBe(0)
    const reference = `gdev-e2e-api:gdev-${imageId(image).slice(7, 19)}`
    expect(deployedContainers(environment, 'api')[0]!.image).toBe(`docker.io/library/${reference}`)
    const order = environment
      .mutatingCalls()
      .map((c) => `${c.tool} ${c.argv.slice(0, 2).join(' ')}`)
      .filter((c) => /^(kind create|kind load|helm upgrade)/.test(c))
    expect(order).toEqual([
      'kind create cluster',
      'kind load docker-image',
      'helm upgrade --install',
    ])
    // Kept: a plain `up` later applies it again.
    const again = await cli(environment, ['up', '--no-forward', '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({releaseAction: 'unchanged'})
  })

  it('build --component api PATH: the app Dockerfile built by the real engine, then rolled out', async () => {
    const environment = fakes()
    await ok(environment, ['up', '--no-forward', '--json'])
    const checkout = tempDir()
    mkdirSync(join(checkout, 'apps', 'api'), {recursive: true})
    writeFileSync(join(checkout, 'apps', 'api', 'Dockerfile'), dockerfile('built-from-source'))
    const tag = `gdev-e2e-build:${randomBytes(3).toString('hex')}`
    images.push(tag)

    const plan = await cli(environment, [
      'build',
      '-c',
      'api',
      checkout,
      '--tag',
      tag,
      '--dry-run',
      '--json',
    ])
    expect(plan.code, plan.stderr).toBe(0)
    const steps = JSON.parse(plan.stdout).steps as Array<{title: string; command?: string[]}>
    expect(steps[0]!.command).toEqual([
      'docker',
      'build',
      '--file',
      join(checkout, 'apps', 'api', 'Dockerfile'),
      '--tag',
      tag,
      checkout,
    ])
    expect(steps.map((s) => s.command?.slice(0, 3).join(' '))).toEqual(
      expect.arrayContaining([
        'docker tag ' + tag,
        'kind load docker-image',
        'helm upgrade --install',
      ]),
    )
    expect(
      environment.mutatingCalls().filter((c) => c.tool === 'kind' && c.argv[0] === 'load'),
    ).toEqual([])

    const run = await cli(environment, [
      'build',
      '--component',
      'api',
      checkout,
      '--tag',
      tag,
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    const id = imageId(tag)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({
      component: 'api',
      image: tag,
      imageId: id,
      releaseAction: 'upgraded',
    })
    expect(dockerOn(inject('dockerHost'), ['run', '--rm', tag, 'cat', '/marker']).trim()).toBe(
      'built-from-source',
    )
    expect(deployedContainers(environment, 'api')[0]!.image).toBe(
      `docker.io/library/${result.reference}`,
    )
    const missing = await cli(environment, ['build', '-c', 'web', checkout])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^Error: there is no Dockerfile in /)
  })

  it('on minikube: minikube image load from the engine, into the profile', async () => {
    const environment = fakes(true)
    await ok(environment, ['up', '--provider', 'minikube', '--no-forward', '--json'])
    const image = buildImage('gdev-e2e-web')
    const run = await cli(environment, ['image', 'load', image, '-c', 'web', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const {reference} = JSON.parse(run.stdout)
    const load = environment.calls().find((c) => c.tool === 'minikube' && c.argv[0] === 'image')
    expect(load?.argv).toEqual([
      'image',
      'load',
      reference,
      '-p',
      'geniro-dev',
      '--daemon',
      '--overwrite=false',
    ])
    expect(loadedImages(environment, 'minikube-geniro-dev')['geniro-dev']).toMatchObject({
      [`docker.io/library/${reference}`]: imageId(image),
    })
  })

  it('refuses bad input with one line and a documented exit code, changing nothing', async () => {
    const environment = fakes()
    await ok(environment, ['up', '--no-forward', '--json'])
    const image = buildImage('gdev-e2e-api')
    const before = environment.mutatingCalls().length
    const cases: Array<[string[], number, RegExp, Record<string, string>?]> = [
      [['image', 'load', image, '-c', 'nope'], 2, /Expected --component=nope to be one of/],
      [
        ['image', 'load', 'gdev-e2e-none:1', '-c', 'api'],
        3,
        /there is no image "gdev-e2e-none:1" in the local Docker engine/,
      ],
      [['image', 'load', 'Bad Name', '-c', 'api'], 2, /"Bad Name" is not an image name/],
      [
        ['image', 'load', image, '-c', 'daytona-api'],
        3,
        /component "daytona-api" is disabled in release "geniro"/,
      ],
      [
        ['image', 'load', image, '-c', 'api', '--release', 'other'],
        3,
        /release "other" is not installed/,
      ],
      [
        ['image', 'load', image, '-c', 'api'],
        3,
        /Docker is not running or not reachable/,
        {DOCKER_HOST: 'unix:///tmp/gdev-no-engine.sock'},
      ],
      [['up', '--no-forward', '--image', 'api'], 2, /--image "api" is not COMPONENT=IMAGE/],
      [
        ['up', '--no-forward', '--image', 'api=gdev-e2e-none:1'],
        3,
        /there is no image "gdev-e2e-none:1"/,
      ],
      [
        ['build', '-c', 'api', '/nonexistent-checkout'],
        3,
        /\/nonexistent-checkout is not a directory/,
      ],
    ]
    for (const [args, code, message, env] of cases) {
      const run = await cli(environment, args, env)
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code)
      expect(run.stderr.split('\n')[0]).toMatch(message)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
    // The plan: docker tag, kind load and helm upgrade with their argv; nothing runs.
    const plan = await cli(environment, [
      'image',
      'load',
      image,
      '-c',
      'api',
      '--dry-run',
      '--json',
    ])
    expect(plan.code, plan.stderr).toBe(0)
    const commands = (JSON.parse(plan.stdout).steps as Array<{command?: string[]}>).flatMap((s) =>
      s.command ? [s.command.slice(0, 3).join(' ')] : [],
    )
    expect(commands).toEqual([
      `docker tag ${imageId(image)}`,
      'kind load docker-image',
      'helm upgrade --install',
    ])
    expect(environment.mutatingCalls().length).toBe(before)
    expect(JSON.parse((await cli(environment, ['image', '--json'])).stdout).images).toEqual([])
  })
})
