import {spawn, type SpawnOptions} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs bin/run.js as a user would. `env` replaces the environment except for HOME
 * and what is passed, so tests control PATH exactly.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  node = process.execPath,
): Promise<CliRun> {
  return runCollecting(node, [BIN, ...args], {
    env: {HOME: process.env.HOME ?? '/root', PATH: '/nonexistent', ...env},
  })
}

/** Runs a program without blocking the event loop, collecting its exit code and output. */
export function runCollecting(
  file: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'>,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, stdout, stderr}))
  })
}
