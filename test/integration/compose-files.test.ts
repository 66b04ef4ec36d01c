/**
 * Compose files and their `.env` are read only when they are regular files: a FIFO would
 * block the read forever, a directory is not "not found", and an alias bomb is a clean error.
 * Real files, a real FIFO (mkfifo), real directories.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadComposeSources, projectEnvironment} from '../../src/adapters/compose-files.js'
import {Compose} from '../../src/adapters/compose.js'
import {exec, type Exec} from '../../src/adapters/exec.js'
import {composeModel} from '../../src/core/compose-model.js'
import {UserError} from '../../src/core/errors.js'
import {detectCompose} from '../../src/services/compose-detect.js'
import {pathWith} from '../support/toolchain.js'

/** A Compose that finds no tool: detectCompose answers from the files alone. */
const noEngine = new Compose(((file, args, options) =>
  exec(file, args, {...options, env: {PATH: pathWith({}), DOCKER_CONFIG: '/nonexistent'}})) as Exec)

const COMPOSE = 'services:\n  db:\n    image: postgres\n    ports: ["5439:5432"]\n'

async function refusal(run: Promise<unknown>): Promise<UserError> {
  const started = Date.now()
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(Date.now() - started).toBeLessThan(2_000)
  expect(error).toBeInstanceOf(UserError)
  return error as UserError
}

describe('Compose files that are not regular files', () => {
  it('refuses a FIFO and a directory named as the Compose file, naming what they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-compose-files-'))
    execFileSync('mkfifo', [join(dir, 'compose.fifo')])
    mkdirSync(join(dir, 'compose.d'))
    for (const name of ['compose.fifo', 'compose.d']) {
      const error = await refusal(loadComposeSources({files: [name], cwd: dir, env: {}}))
      expect(error.message).toBe(
        `Compose file ${join(dir, name)} is not a regular file (a directory, FIFO or device)`,
      )
    }
  })

  it('does not block on a FIFO where the project’s .env would be', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-compose-files-'))
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE)
    execFileSync('mkfifo', [join(dir, '.env')])
    const error = await refusal(projectEnvironment(dir, {}))
    expect(error.message).toBe(
      `file ${join(dir, '.env')} is not a regular file (a directory, FIFO or device)`,
    )
  })

  it('reads a regular project with its .env', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-compose-files-'))
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE)
    writeFileSync(join(dir, '.env'), 'PGPORT=5439\n')
    const sources = await loadComposeSources({files: [], cwd: dir, env: {}})
    expect(sources.files.map((f) => f.path)).toEqual([join(dir, 'compose.yaml')])
    expect(sources.env.PGPORT).toBe('5439')
  })
})

describe('files a Compose file names are read only when they are regular files', () => {
  const project = (main: string, setUp: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-compose-refs-'))
    writeFileSync(join(dir, 'compose.yaml'), main)
    setUp(dir)
    return {dir, run: detectCompose({files: [], cwd: dir, env: {}}, noEngine)}
  }

  it.each([
    ['an included file', 'include:\n  - db.yaml\n', 'db.yaml', 'Compose file'],
    [
      'an extended file',
      'services:\n  db:\n    extends: {file: db.yaml, service: db}\n',
      'db.yaml',
      'Compose file',
    ],
    [
      "an include's env_file",
      'include:\n  - path: db.yaml\n    env_file: db.env\n',
      'db.env',
      'file',
    ],
    ["an included project's .env", 'include:\n  - sub/db.yaml\n', 'sub/.env', 'file'],
  ])('refuses a FIFO as %s at once', async (_what, main, fifo, what) => {
    const {dir, run} = project(main, (dir) => {
      mkdirSync(join(dir, 'sub'))
      for (const name of ['db.yaml', 'sub/db.yaml']) {
        if (name !== fifo) writeFileSync(join(dir, name), COMPOSE)
      }
      execFileSync('mkfifo', [join(dir, fifo)])
    })
    const error = await refusal(run)
    expect(error.message).toBe(
      `${what} ${join(dir, fifo)} is not a regular file (a directory, FIFO or device)`,
    )
  })

  it('refuses a directory named as an included file, not as "not found"', async () => {
    const {dir, run} = project('include:\n  - db\n', (dir) => mkdirSync(join(dir, 'db')))
    expect((await refusal(run)).message).toBe(
      `Compose file ${join(dir, 'db')} is not a regular file (a directory, FIFO or device)`,
    )
  })

  it('reads regular ones: the included service and its port', async () => {
    const {run} = project('include:\n  - sub/db.yaml\n', (dir) => {
      mkdirSync(join(dir, 'sub'))
      writeFileSync(join(dir, 'sub/db.yaml'), COMPOSE.replace('"5439', '"${PGPORT}'))
      writeFileSync(join(dir, 'sub/.env'), 'PGPORT=5440\n')
    })
    const found = await run
    expect(found.services.map((service) => service.ports.map((port) => port.published))).toEqual([
      [5440],
    ])
  })
})

describe('a Compose file that is an alias bomb', () => {
  it('is a clean error naming the file, not an internal one', () => {
    let text = 'x-a: &a [x, x, x, x, x, x, x, x, x, x]\n'
    let previous = 'a'
    for (let i = 0; i < 9; i++) {
      text += `x-b${i}: &b${i} [${Array(10).fill(`*${previous}`).join(', ')}]\n`
      previous = `b${i}`
    }
    text += 'services: {db: {image: postgres}}\n'
    let error: unknown
    try {
      composeModel([{path: '/work/bomb/compose.yaml', text}], {env: {}, workingDir: '/work/bomb'})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toMatch(
      /^\/work\/bomb\/compose\.yaml line \d+: its aliases expand to more than 1000000 values$/,
    )
  })
})
