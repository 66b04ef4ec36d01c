/**
 * Compose detection against a real project on the test engine: a busybox httpd standing in
 * for PostgreSQL publishes 5439:5432 (another free port if 5439 is taken on the shared
 * engine), the same port over udp, and a 127.0.0.1-only port.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import getPort from 'get-port'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {Compose} from '../../src/adapters/compose.js'
import {Docker} from '../../src/adapters/docker.js'
import {exec, type Exec} from '../../src/adapters/exec.js'
import {findServiceByRole, type ComposePort} from '../../src/core/compose-model.js'
import {detectCompose} from '../../src/services/compose-detect.js'
import {FAKE_NODE_IMAGE, ensureNodeImage} from '../support/fake-env.js'
import {DOCKER_CONFIG_WITH_COMPOSE, dockerCli, pathWith} from '../support/toolchain.js'

const dockerHost = inject('dockerHost')
/** Unique per run: other suites share the engine. */
const project = `gdev-compose-${randomBytes(4).toString('hex')}`
const dir = mkdtempSync(path.join(tmpdir(), 'gdev-compose-runtime-'))
const projectDir = path.join(dir, 'stack')
/** The environment a user's shell gives geniro-dev: the engine, Compose, docker on PATH. */
const toolEnv = {
  DOCKER_HOST: dockerHost,
  DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE,
  PATH: pathWith({docker: dockerCli()}),
}
const env = {HOME: dir}

let pgPort = 0
let loopbackPort = 0

function execWith(extra: Record<string, string | undefined>): Exec {
  return (file, args, options) => exec(file, args, {...options, env: {...extra, ...options?.env}})
}

const compose = new Compose(execWith(toolEnv))
const docker = new Docker(execWith(toolEnv), dockerCli())

function dockerCompose(...args: string[]): string {
  return execFileSync(dockerCli(), ['compose', '-p', project, ...args], {
    cwd: projectDir,
    env: {...process.env, ...toolEnv},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function brief(port: ComposePort): string {
  return `${port.hostIp}:${port.published}->${port.target}/${port.protocol}`
}

function tcpConnects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.setTimeout(2_000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

beforeAll(async () => {
  const image = ensureNodeImage(dockerHost)
  pgPort = await getPort({port: 5439})
  loopbackPort = await getPort({host: '127.0.0.1'})
  mkdirSync(path.join(projectDir, 'init'), {recursive: true})
  writeFileSync(path.join(projectDir, '.env'), `PG_PORT=${pgPort}\n`)
  writeFileSync(
    path.join(projectDir, 'compose.yaml'),
    `name: ${project}
services:
  db:
    image: ${image}
    command: ["/bin/busybox", "httpd", "-f", "-p", "5432"]
    ports:
      - "\${PG_PORT}:5432"
      - "\${PG_PORT}:5432/udp"
      - "127.0.0.1:${loopbackPort}:5433"
    environment:
      POSTGRES_USER: geniro
    volumes:
      - ./init:/docker-entrypoint-initdb.d:ro
  idle:
    image: ${image}
    command: ["/bin/busybox", "sleep", "3600"]
  debug:
    image: ${image}
    command: ["/bin/busybox", "sleep", "3600"]
    profiles: [debug]
`,
  )
  dockerCompose('up', '-d')
})

afterAll(() => {
  try {
    dockerCompose('--profile', '*', 'down', '--volumes', '--remove-orphans', '--timeout', '1')
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

describe('Compose detection of a running project', () => {
  it('takes ports, state and container names from the engine, the rest from the files', async () => {
    const detected = await detectCompose({files: [], cwd: projectDir, env}, compose)
    expect(detected).toMatchObject({
      name: project,
      source: 'runtime',
      workingDir: projectDir,
      files: [path.join(projectDir, 'compose.yaml')],
    })
    expect(detected.services.map((service) => service.name)).toEqual(['db', 'idle'])
    const db = findServiceByRole(detected, 'postgresql')
    expect(db).toMatchObject({
      name: 'db',
      state: 'running',
      containerName: `${project}-db-1`,
      image: FAKE_NODE_IMAGE,
      environment: {POSTGRES_USER: 'geniro'},
      volumes: [`${path.join(projectDir, 'init')}:/docker-entrypoint-initdb.d`],
      role: 'postgresql',
      roleBy: 'port',
    })
    // IPv4 and IPv6 of the published port count once; udp is its own port.
    expect(db.ports.map(brief).sort()).toEqual(
      [
        `0.0.0.0:${pgPort}->5432/tcp`,
        `0.0.0.0:${pgPort}->5432/udp`,
        `127.0.0.1:${loopbackPort}->5433/tcp`,
      ].sort(),
    )
    expect(db.ports.every((port) => port.project === project && port.service === 'db')).toBe(true)
    expect(db.declaredPorts?.map(brief)).toContain(`:${pgPort}->5432/tcp`)
    expect(await tcpConnects(pgPort)).toBe(true)
  })

  it('reads the project by -p alone, from another directory, through its labels', async () => {
    const elsewhere = mkdtempSync(path.join(dir, 'elsewhere-'))
    const detected = await detectCompose({files: [], project, cwd: elsewhere, env}, compose)
    expect(detected).toMatchObject({
      name: project,
      source: 'runtime',
      workingDir: projectDir,
      files: [path.join(projectDir, 'compose.yaml')],
    })
    expect(findServiceByRole(detected, 'postgresql')).toMatchObject({
      name: 'db',
      environment: {POSTGRES_USER: 'geniro'},
      state: 'running',
    })
  })

  it('lists a service started under another profile', async () => {
    dockerCompose('--profile', 'debug', 'up', '-d', 'debug')
    const detected = await detectCompose({files: [], cwd: projectDir, env}, compose)
    expect(detected.services.map((service) => service.name)).toEqual(['db', 'idle', 'debug'])
    expect(detected.services[2]).toMatchObject({state: 'running', ports: []})
  })

  it('lists the containers through the Compose adapter', async () => {
    const services = await compose.ps(await compose.detect(), {project, cwd: dir})
    expect(services.find((service) => service.name === 'db')?.ports).toHaveLength(3)
    expect(compose.psCommand(await compose.detect(), {project, files: ['a.yaml']})).toEqual([
      'docker',
      'compose',
      '-f',
      'a.yaml',
      '-p',
      project,
      'ps',
      '--all',
      '--format',
      'json',
    ])
  })

  it('finds the published ports among all Compose containers of the engine', async () => {
    const ours = (await docker.composePorts()).filter((port) => port.project === project)
    expect(ours.map((port) => `${port.service} ${brief(port)}`).sort()).toEqual(
      [
        `db 0.0.0.0:${pgPort}->5432/tcp`,
        `db 0.0.0.0:${pgPort}->5432/udp`,
        `db 127.0.0.1:${loopbackPort}->5433/tcp`,
      ].sort(),
    )
  })

  it('falls back to the files when the engine does not answer', async () => {
    const unreachable = new Compose(
      execWith({...toolEnv, DOCKER_HOST: 'unix:///tmp/gdev-no-such-engine.sock'}),
    )
    const detected = await detectCompose({files: [], cwd: projectDir, env}, unreachable)
    expect(detected.source).toBe('file')
    expect(findServiceByRole(detected, 'postgresql').ports.map(brief)).toContain(
      `:${pgPort}->5432/tcp`,
    )
  })
})

describe('Compose detection of a stopped project', () => {
  beforeAll(() => {
    dockerCompose('--profile', '*', 'stop', '--timeout', '1')
  })

  it('shows the services exited, publishing nothing, with the ports their files declare', async () => {
    const detected = await detectCompose({files: [], cwd: projectDir, env}, compose)
    expect(detected.source).toBe('runtime')
    const db = findServiceByRole(detected, 'postgresql')
    expect(db).toMatchObject({name: 'db', state: 'exited', ports: [], role: 'postgresql'})
    expect(db.declaredPorts?.map(brief)).toContain(`:${pgPort}->5432/tcp`)
    expect(await tcpConnects(pgPort)).toBe(false)
  })

  it('is no longer among the engine’s published Compose ports', async () => {
    const ports = await docker.composePorts()
    expect(ports.filter((port) => port.project === project)).toEqual([])
  })
})
