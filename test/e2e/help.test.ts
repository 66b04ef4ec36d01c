import {describe, expect, it} from 'vitest'
import {runCli} from '../support/run-cli.js'

describe('geniro-dev help', () => {
  it('root --help lists the commands and the exit-code table', async () => {
    const run = await runCli(['--help'])
    expect(run.code).toBe(0)
    const listed = /^COMMANDS\n((?: {2}\S+ +.+\n)+)/m.exec(run.stdout)?.[1] ?? ''
    expect([...listed.matchAll(/^ {2}(\S+)/gm)].map((match) => match[1])).toEqual([
      'autocomplete',
      'bridge',
      'build',
      'doctor',
      'down',
      'forward',
      'help',
      'image',
      'logs',
      'open',
      'ports',
      'status',
      'up',
      'values',
    ])
    expect(listed).toMatch(/^ {2}doctor {8}Check that this machine/m)
    expect(run.stdout).toContain('EXIT CODES\n  0   Success.')
    expect(run.stderr).toBe('')
  })

  it('command help has examples and the exit-code table', async () => {
    const run = await runCli(['doctor', '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('$ geniro-dev doctor --k8s-version 1.31 --json')
    expect(run.stdout).toContain('EXIT CODES\n  0   Success.')
    expect(run.stdout).toContain('[env: GENIRO_DEV_PROVIDER]')
  })

  it('--version names the CLI, platform and Node', async () => {
    const run = await runCli(['--version'])
    expect(run.stdout).toMatch(/^geniro-dev\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
  })

  it('an unknown command exits 2 with a pointer to --help', async () => {
    const run = await runCli(['frobnicate'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      'Error: unknown command "frobnicate"\nHint: run `geniro-dev --help` for the list of commands\n',
    )
    const json = await runCli(['frobnicate', '--json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).error).toMatchObject({
      kind: 'usage',
      exitCode: 2,
      message: 'unknown command "frobnicate"',
    })
  })
})
