/**
 * The Compose model against the real Compose v2: for every case of
 * test/fixtures/compose/config/<case>/case.json, `docker compose config --format json` and
 * detectCompose (with no engine, so from the files) must agree on the project name, the
 * active services and their published ports, images, environment and volumes, or must both
 * refuse the project.
 */
import {execFile} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {Compose} from '../../src/adapters/compose.js'
import {exec, type Exec} from '../../src/adapters/exec.js'
import {
  findServiceByRole,
  type ComposeProject,
  type ServiceRole,
} from '../../src/core/compose-model.js'
import {UserError} from '../../src/core/errors.js'
import {detectCompose} from '../../src/services/compose-detect.js'
import {DOCKER_CONFIG_WITH_COMPOSE, dockerCli, pathWith, requireTool} from '../support/toolchain.js'

const CORPUS = fileURLToPath(new URL('../fixtures/compose/config', import.meta.url))

interface ComposeRun {
  title: string
  files?: string[]
  env?: Record<string, string>
  profiles?: string[]
  project?: string
  /** Directory to run in, below the copied case. */
  cwd?: string
  /** Name of the copy's directory (the default project name comes from it). */
  copyAs?: string
  expect?: 'accept' | 'reject'
  /** Pattern our UserError's message must match. */
  message?: string
  /** Role → the service findServiceByRole must pick. */
  roles?: Partial<Record<ServiceRole, string>>
}

/** What both sides must agree on, in one comparable shape. */
interface ProjectView {
  name: string
  services: Record<
    string,
    {image?: string; ports: string[]; environment: Record<string, string>; volumes: string[]}
  >
}

interface ConfigPort {
  host_ip?: string
  published?: string
  target: number
  protocol: string
}

interface ConfigService {
  image?: string
  ports?: ConfigPort[]
  environment?: Record<string, string | null>
  volumes?: Array<{source?: string; target: string}>
}

const scratch = mkdtempSync(path.join(tmpdir(), 'gdev-compose-config-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** A Compose that finds no tool: detectCompose then answers from the files alone. */
const noEngine = new Compose(((file, args, options) =>
  exec(file, args, {...options, env: {PATH: pathWith({}), DOCKER_CONFIG: '/nonexistent'}})) as Exec)

function realConfig(
  run: ComposeRun,
  cwd: string,
  env: Record<string, string>,
): Promise<
  | {ok: true; json: {name: string; services: Record<string, ConfigService>}}
  | {ok: false; stderr: string}
> {
  const args = [
    'compose',
    ...(run.files ?? []).flatMap((file) => ['-f', file]),
    ...(run.project ? ['-p', run.project] : []),
    ...(run.profiles ?? []).flatMap((profile) => ['--profile', profile]),
    'config',
    '--format',
    'json',
  ]
  const compose = {...env, PATH: process.env.PATH ?? '', DOCKER_CONFIG: DOCKER_CONFIG_WITH_COMPOSE}
  return new Promise((resolve) => {
    execFile(dockerCli(), args, {cwd, env: compose}, (error, stdout, stderr) => {
      resolve(error ? {ok: false, stderr} : {ok: true, json: JSON.parse(stdout)})
    })
  })
}

function configView(json: {name: string; services: Record<string, ConfigService>}): ProjectView {
  const services: ProjectView['services'] = {}
  for (const [name, service] of Object.entries(json.services)) {
    services[name] = {
      image: service.image,
      ports: unique(
        (service.ports ?? [])
          // Without a published port (or with 0) the engine picks one: not a known port.
          .filter((port) => port.published !== undefined && port.published !== '0')
          .map((port) =>
            portText(port.host_ip ?? '', port.published ?? '', port.target, port.protocol),
          ),
      ),
      environment: Object.fromEntries(
        Object.entries(service.environment ?? {})
          .filter((entry): entry is [string, string] => entry[1] !== null)
          // `config` writes a literal $ as $$ (keys too) so that its output reads back the same.
          .map(([key, value]) => [key.replaceAll('$$', '$'), value.replaceAll('$$', '$')]),
      ),
      volumes: (service.volumes ?? []).flatMap((volume) =>
        volume.source ? [`${volume.source}:${volume.target}`] : [],
      ),
    }
  }
  return {name: json.name, services}
}

function modelView(project: ComposeProject): ProjectView {
  const services: ProjectView['services'] = {}
  for (const service of project.services) {
    services[service.name] = {
      image: service.image,
      ports: unique(
        service.ports.map((port) =>
          portText(
            port.hostIp,
            port.publishedRangeEnd === undefined
              ? String(port.published)
              : `${port.published}-${port.publishedRangeEnd}`,
            port.target,
            port.protocol,
          ),
        ),
      ),
      environment: service.environment,
      volumes: service.volumes ?? [],
    }
  }
  return {name: project.name, services}
}

function portText(hostIp: string, published: string, target: number, protocol: string): string {
  return `${hostIp.replace(/^\[(.*)\]$/, '$1')}:${published}->${target}/${protocol.toLowerCase()}`
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort()
}

const cases = readdirSync(CORPUS).sort()

describe('the Compose model agrees with `docker compose config`', () => {
  it('has a corpus and the real Compose v2', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20)
    requireTool(path.join(DOCKER_CONFIG_WITH_COMPOSE, 'cli-plugins', 'docker-compose'))
  })

  for (const name of cases) {
    const runs = JSON.parse(
      readFileSync(path.join(CORPUS, name, 'case.json'), 'utf8'),
    ) as ComposeRun[]
    describe(name, () => {
      it.each(runs.map((run) => [run.title, run] as const))('%s', async (_title, run) => {
        const copy = path.join(mkdtempSync(path.join(scratch, `${name}-`)), run.copyAs ?? name)
        cpSync(path.join(CORPUS, name), copy, {recursive: true})
        const cwd = path.join(copy, run.cwd ?? '.')
        mkdirSync(cwd, {recursive: true})
        const env = {HOME: scratch, ...run.env}

        const real = await realConfig(run, cwd, env)
        const ours = await detectCompose(
          {files: run.files ?? [], project: run.project, cwd, env, profiles: run.profiles},
          noEngine,
        ).then(
          (project) => ({ok: true as const, project}),
          (error: unknown) => ({ok: false as const, error}),
        )

        if (run.expect === 'reject') {
          expect(real.ok, 'docker compose config accepted it').toBe(false)
          expect(ours.ok, 'detectCompose accepted it').toBe(false)
          if (ours.ok) return
          expect(ours.error).toBeInstanceOf(UserError)
          const error = ours.error as UserError
          expect(error.message).not.toContain('\n')
          if (run.message) expect(error.message).toMatch(new RegExp(run.message))
          return
        }
        if (!real.ok) throw new Error(`docker compose config refused it: ${real.stderr}`)
        if (!ours.ok) throw ours.error
        expect(ours.project.source).toBe('file')
        expect(modelView(ours.project)).toEqual(configView(real.json))
        for (const [role, service] of Object.entries(run.roles ?? {})) {
          expect(findServiceByRole(ours.project, role as ServiceRole).name).toBe(service)
        }
      })
    })
  }
})
