import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it, inject} from 'vitest'
import {Compose} from '../../src/adapters/compose.js'
import {Docker} from '../../src/adapters/docker.js'
import {exec, type Exec} from '../../src/adapters/exec.js'
import {Helm} from '../../src/adapters/helm.js'
import {Kind} from '../../src/adapters/kind.js'
import {Kubectl} from '../../src/adapters/kubectl.js'
import {ToolFailedError, ToolNotFoundError} from '../../src/core/errors.js'
import {
  DOCKER_CONFIG_WITH_COMPOSE,
  TOOLS,
  dockerCli,
  pathWith,
  requireTool,
} from '../support/toolchain.js'

/** The exec seam with a fixed environment, as a user's shell would give it. */
function execWith(env: Record<string, string | undefined>): Exec {
  return (file, args, options) => exec(file, args, {...options, env: {...env, ...options?.env}})
}

describe('Helm adapter against real Helm binaries', () => {
  it('reads Helm 4’s version', async () => {
    expect(await new Helm(exec, requireTool(TOOLS.helm4)).version()).toBe('v4.1.4')
  })

  it.each([
    ['helm3', 'v3.17.2'],
    ['helm318', 'v3.18.0'],
  ] as const)('reads Helm 3’s version with the same template (%s)', async (tool, version) => {
    expect(await new Helm(exec, requireTool(TOOLS[tool])).version()).toBe(version)
  })
})

describe('kubectl and kind adapters against the real binaries', () => {
  it('reads kubectl’s client version without a cluster', async () => {
    expect(await new Kubectl(exec, requireTool(TOOLS.kubectl134)).clientVersion()).toMatch(
      /^v1\.34\.\d+$/,
    )
    expect(await new Kubectl(exec, requireTool(TOOLS.kubectl132)).clientVersion()).toMatch(
      /^v1\.32\.\d+$/,
    )
  })

  it('reads kind’s version', async () => {
    expect(await new Kind(exec, requireTool(TOOLS.kind)).version()).toMatch(/^kind v0\.\d+\.\d+ /)
  })
})

describe('Docker adapter against the private dockerd', () => {
  it('reads engine facts from a running engine', async () => {
    const docker = new Docker(execWith({DOCKER_HOST: inject('dockerHost')}), dockerCli())
    const info = await docker.info()
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(info.operatingSystem).not.toBe('')
  })

  it('fails with the CLI’s own words when the engine is not running', async () => {
    const docker = new Docker(
      execWith({DOCKER_HOST: 'unix:///tmp/gdev-no-such-engine.sock'}),
      dockerCli(),
    )
    const error = await docker.info().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ToolFailedError)
    expect((error as ToolFailedError).stderrTail).toMatch(/Cannot connect to the Docker daemon/)
  })
})

describe('Compose detection against real Compose v2', () => {
  it('finds the docker compose plugin', async () => {
    const path = pathWith({docker: dockerCli()})
    const compose = new Compose(execWith({PATH: path, DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE}))
    expect(await compose.detect()).toEqual({
      variant: 'docker compose',
      version: '2.26.1',
      argv: ['docker', 'compose'],
    })
  })

  it('falls back to a standalone docker-compose v2', async () => {
    const path = pathWith({'docker-compose': TOOLS.dockerCompose})
    const compose = new Compose(execWith({PATH: path}))
    expect(await compose.detect()).toMatchObject({variant: 'docker-compose', version: '2.26.1'})
  })

  it('reports a missing Compose with its install hint', async () => {
    const compose = new Compose(execWith({PATH: pathWith({}), DOCKER_CONFIG: '/nonexistent'}))
    const error = await compose.detect().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ToolNotFoundError)
    expect((error as ToolNotFoundError).hint).toContain('Compose v2')
  })
})

describe('a tool that prints what is not JSON fails as that tool, never as an internal error', () => {
  /** An executable that prints `output` and exits 0, as a wrapper or a broken install would. */
  function junkTool(name: string, output: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-junk-'))
    const file = join(dir, name)
    writeFileSync(file, `#!/bin/sh\nprintf '%s' ${JSON.stringify(output)}\n`, {mode: 0o755})
    return file
  }

  it.each([
    [
      'docker',
      () => new Docker(exec, junkTool('docker', 'WARNING: not the engine you want\n')).info(),
    ],
    [
      'kubectl',
      () => new Kubectl(exec, junkTool('kubectl', '<html>proxy login</html>')).clientVersion(),
    ],
    [
      'helm',
      () =>
        new Helm(exec, junkTool('helm', 'Error? no: {')).userValues('geniro', 'geniro', 'kind-x'),
    ],
    ['kubectl', () => new Kubectl(exec, junkTool('kubectl', '')).pods('geniro', 'kind-x')],
  ])('%s', async (tool, call) => {
    const error = await call().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ToolFailedError)
    expect((error as ToolFailedError).message).toMatch(
      new RegExp(
        `^\`\\S*${tool} [^\`]*\` exited with 0: (printed output that is not JSON: |printed nothing where JSON was expected)`,
      ),
    )
    expect((error as ToolFailedError).hint).toContain(
      `the ${tool} on PATH does not answer as ${tool} does`,
    )
  })
})
