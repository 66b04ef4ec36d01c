/**
 * Finding and reading a Compose project's files the way Docker Compose v2 does: -f files,
 * else COMPOSE_FILE, else compose.yaml (and friends) in the current directory or the nearest
 * parent, plus its override file; the project directory's `.env` under the environment.
 */
import {stat} from 'node:fs/promises'
import path from 'node:path'
import {parseDotEnv} from '../core/compose-env.js'
import type {ComposeEnvFile} from '../core/compose-layers.js'
import {UserError} from '../core/errors.js'
import {readRegularFile} from './regular-file.js'

type Env = Record<string, string | undefined>

/** Compose's default names, in its order of preference. */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
] as const
export const COMPOSE_OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const

/** Discovery found no Compose file (as opposed to a named file that is missing). */
export class NoComposeFileError extends UserError {}

export interface ComposeSources {
  files: Array<{path: string; text: string}>
  /** The project directory: the first file's. */
  workingDir: string
  /** The environment over the project directory's `.env`. */
  env: Env
}

/** The files (absolute, in merge order) a `docker compose` in `cwd` would use. */
export async function findComposeFiles(input: {
  files: readonly string[]
  cwd: string
  env: Env
}): Promise<string[]> {
  if (input.files.length > 0) {
    return requireFiles(
      input.files.map((file) => path.resolve(input.cwd, file)),
      'the Compose file',
    )
  }
  const fromEnv = await composeFileVariable(input.cwd, input.env)
  if (fromEnv) return requireFiles(fromEnv, 'COMPOSE_FILE names')
  for (let dir = path.resolve(input.cwd); ; dir = path.dirname(dir)) {
    const main = await firstExisting(dir, COMPOSE_FILE_NAMES)
    if (main) {
      const override = await firstExisting(dir, COMPOSE_OVERRIDE_NAMES)
      return override ? [main, override] : [main]
    }
    if (path.dirname(dir) === dir) break
  }
  throw new NoComposeFileError(
    `no Compose file (compose.yaml, docker-compose.yml, …) in ${input.cwd} or its parent directories`,
    'Name the Compose file, or run geniro-dev from the directory that holds it',
  )
}

/** Reads the files found above and the project's `.env`. */
export async function loadComposeSources(input: {
  files: readonly string[]
  cwd: string
  env: Env
}): Promise<ComposeSources> {
  const paths = await findComposeFiles(input)
  const workingDir = path.dirname(paths[0] ?? input.cwd)
  // When the current directory's .env named the files (COMPOSE_FILE), Compose keeps its
  // variables over the project directory's .env; otherwise only the project's counts.
  const cwd = path.resolve(input.cwd)
  const fromCwdDotEnv =
    input.files.length === 0 && !input.env.COMPOSE_FILE && cwd !== workingDir
      ? await projectEnvironment(cwd, input.env)
      : undefined
  const env = await projectEnvironment(
    workingDir,
    fromCwdDotEnv?.COMPOSE_FILE ? fromCwdDotEnv : input.env,
  )
  return {
    files: await Promise.all(paths.map(async (file) => ({path: file, text: await readText(file)}))),
    workingDir,
    env,
  }
}

/** The environment over `<dir>/.env` (the environment wins, as in Compose). */
export async function projectEnvironment(dir: string, env: Env): Promise<Env> {
  const text = await readOptional(path.join(dir, '.env'))
  if (text === undefined) return {...env}
  const fromFile = parseDotEnv(text, env)
  const defined = Object.entries(env).filter(([, value]) => value !== undefined)
  return {...fromFile, ...Object.fromEntries(defined)}
}

/** The text of each `env_file` that exists; a missing required one is the user's to fix. */
export async function readEnvFiles(
  envFiles: readonly ComposeEnvFile[],
): Promise<Record<string, string>> {
  const texts: Record<string, string> = {}
  for (const file of envFiles) {
    if (file.path in texts) continue
    const text = await readOptional(file.path)
    if (text !== undefined) texts[file.path] = text
    else if (file.required) {
      throw new UserError(
        `env_file ${file.path} not found`,
        'Create it, or mark it `required: false` in the Compose file',
      )
    }
  }
  return texts
}

/** COMPOSE_FILE from the environment or from the current directory's `.env`. */
async function composeFileVariable(cwd: string, env: Env): Promise<string[] | undefined> {
  let value = env.COMPOSE_FILE
  let separator = env.COMPOSE_PATH_SEPARATOR
  if (!value) {
    const dotEnv = await readOptional(path.join(cwd, '.env'))
    const parsed = dotEnv === undefined ? {} : parseDotEnv(dotEnv, env)
    value = parsed.COMPOSE_FILE
    separator ??= parsed.COMPOSE_PATH_SEPARATOR
  }
  if (!value) return undefined
  return value
    .split(separator || ':')
    .filter(Boolean)
    .map((file) => path.resolve(cwd, file))
}

async function requireFiles(files: string[], what: string): Promise<string[]> {
  for (const file of files) {
    const info = await stat(file).catch(() => undefined)
    if (info && !info.isFile()) {
      throw new UserError(
        `Compose file ${file} is not a regular file (a directory, FIFO or device)`,
        'give the path of a Compose file (compose.yaml)',
      )
    }
    if (!info) {
      throw new UserError(
        `Compose file ${file} not found (${what})`,
        'Check the path; without one, geniro-dev uses the compose.yaml of the current directory',
      )
    }
  }
  return files
}

async function firstExisting(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    const candidate = path.join(dir, name)
    if (await isFile(candidate)) return candidate
  }
  return undefined
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

async function readText(file: string): Promise<string> {
  const read = await readRegularFile(file, 'Compose file')
  if (read.ok) return read.text
  throw new UserError(
    `cannot read Compose file ${file}: ${read.code ?? read.problem}`,
    'Check the file and its permissions',
  )
}

/** An optional file (`.env`, an `env_file`): undefined when missing; a FIFO never blocks. */
async function readOptional(file: string): Promise<string | undefined> {
  const read = await readRegularFile(file, 'file')
  if (read.ok) return read.text
  if (read.problem === 'missing') return undefined
  throw new UserError(
    `cannot read ${file}: ${read.code ?? read.problem}`,
    'Check the file and its permissions',
  )
}

/**
 * The files a project names besides its own (included and extended Compose files, an
 * include's env files): each one's text, or null when there is none. Only regular files
 * are read, as for the project's own files.
 */
export async function readReferencedFiles(
  files: readonly string[],
  what: string,
): Promise<Record<string, string | null>> {
  const texts: Record<string, string | null> = {}
  for (const file of files) {
    const read = await readRegularFile(file, what)
    if (read.ok) texts[file] = read.text
    else if (read.problem === 'missing') texts[file] = null
    else {
      throw new UserError(
        `cannot read ${what} ${file}: ${read.code ?? read.problem}`,
        'Check the file and its permissions',
      )
    }
  }
  return texts
}
