/**
 * Compose files through the built CLI, from the files alone (no engine on PATH): a large file
 * is modelled in a worker thread, so Ctrl-C and SIGTERM stop `ports` at once instead of after
 * seconds of parsing; the worker's answers are the main thread's; `--profile` activates a
 * service and a service under an inactive profile is named with the flag that activates it.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, runCli} from '../support/run-cli.js'
import {expectJson} from '../support/schemas.js'

const dir = mkdtempSync(join(tmpdir(), 'gdev-compose-e2e-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const env = {GENIRO_DEV_STATE_DIR: join(dir, 'state')}
const MiB = 2 ** 20

/** A Compose file of about `size` bytes: one PostgreSQL service with a huge environment. */
function largeCompose(name: string, size: number, tail = ''): string {
  const lines = ['services:', '  db:', '    image: postgres:16', '    ports: ["5439:5432"]']
  lines.push('    environment:')
  let length = lines.join('\n').length + tail.length
  for (let index = 0; length < size - 64; index++) {
    const line = `      KEY_${index}: value-${index}`
    lines.push(line)
    length += line.length + 1
  }
  const file = join(dir, name)
  writeFileSync(file, `${lines.join('\n')}\n${tail}`)
  return file
}

let largest: string
beforeAll(() => {
  // Just under the 16 MiB a Compose file may have: some ten seconds to parse and model.
  largest = largeCompose('largest.yaml', 16 * MiB - 1024)
})

describe('a signal while a large Compose file is parsed', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops `ports` at once: exit %i', async (signal, expected) => {
    const child = spawn(process.execPath, [BIN, 'ports', largest], {
      env: {HOME: process.env.HOME ?? '/root', PATH: '/nonexistent', ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve))
    // Started, read the file and parsing it (which alone takes several seconds).
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(child.exitCode).toBeNull()
    const sent = Date.now()
    child.kill(signal)
    const code = await closed
    expect(code, stderr).toBe(expected)
    expect(Date.now() - sent).toBeLessThan(1_500)
    expect(stderr).toContain('interrupted while the Compose files were read')
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})

describe('a large Compose file, modelled in a worker thread', () => {
  it('gives the same ports as a small one', async () => {
    const file = largeCompose('one-mib.yaml', MiB)
    const run = await runCli(['ports', file, '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const compose = (
      expectJson('ports-report.schema.json', run.stdout) as {compose: Array<{published: number}>}
    ).compose
    expect(compose.map((port) => port.published)).toEqual([5439])
  })

  it('takes over when a small file includes a large one', async () => {
    largeCompose('included.yaml', MiB)
    const main = join(dir, 'includes-large.yaml')
    writeFileSync(
      main,
      'include: [included.yaml]\nservices:\n  api: {image: a, ports: ["5000:5000"]}\n',
    )
    const run = await runCli(['ports', main, '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const compose = (
      expectJson('ports-report.schema.json', run.stdout) as {compose: Array<{published: number}>}
    ).compose
    expect(compose.map((port) => port.published).sort()).toEqual([5000, 5439])
  })

  it('reports its YAML error as the main thread does: one line, the file and the line', async () => {
    const file = largeCompose('broken.yaml', MiB, '      KEY_0: again\n')
    const run = await runCli(['ports', file], env)
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(
      new RegExp(`Error: ${file} line \\d+: mapping key "KEY_0" already defined at line 6\\n`),
    )
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('--profile', () => {
  const file = join(dir, 'profiled.yaml')
  writeFileSync(
    file,
    [
      'name: shop',
      'services:',
      '  api: {image: razumru/geniro-api, ports: ["5000:5000"]}',
      '  db:',
      '    image: pgvector/pgvector:pg17',
      '    profiles: [db]',
      '    ports: ["5439:5432"]',
      '    environment: {POSTGRES_PASSWORD: pw}',
      '',
    ].join('\n'),
  )
  const values = (...args: string[]) =>
    runCli(['values', '--mode', 'bridge', ...args, '--host-address', '10.1.2.3'], env)

  it('names the profile of a PostgreSQL service that is not active', async () => {
    const run = await values(file)
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(
      'no active PostgreSQL service in Compose project "shop": db is under profile "db", which is not active',
    )
    expect(run.stderr).toContain('Pass --profile db')
    const chosen = await values(file, '--compose-service', 'db')
    expect(chosen.stderr).toContain('no active service "db"')
  })

  it('activates it for values --mode bridge and ports, before or after the file', async () => {
    const run = await values('--profile', 'db', file)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/port: 5439/)
    const ports = await runCli(['ports', file, '--profile', 'db', '--json'], env)
    expect(ports.code, ports.stderr).toBe(0)
    const compose = (
      expectJson('ports-report.schema.json', ports.stdout) as {compose: Array<{service: string}>}
    ).compose
    expect(compose.map((port) => port.service)).toEqual(['api', 'db'])
  })
})
