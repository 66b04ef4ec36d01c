import {createHash} from 'node:crypto'
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {parse, stringify} from 'yaml'
import {UserError} from '../core/errors.js'
import {isMap, type Values} from '../core/set-values.js'
import {ensurePrivateDir, privateTempDir} from './private-dir.js'

/** A values file the user named: it must exist and hold a YAML map. */
export async function readValuesFile(path: string): Promise<Values> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new UserError(
      `values file ${path} does not exist or cannot be read`,
      'check the path given to -f/--values',
    )
  }
  let parsed: unknown
  try {
    parsed = parse(text)
  } catch (error) {
    throw new UserError(
      `values file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      'fix the YAML syntax',
    )
  }
  if (parsed === null || parsed === undefined) return {}
  if (!isMap(parsed))
    throw new UserError(
      `values file ${path} does not hold a map of values`,
      'a values file is a YAML mapping (key: value)',
    )
  return parsed
}

/**
 * Writes values (from --set) where Helm can read them with -f: a private per-user dir, named
 * after the content, so a re-run gives Helm the same argv and no temp file piles up.
 */
export async function writeValuesForHelm(values: Values): Promise<string> {
  const text = stringify(values)
  const dir = privateTempDir()
  await ensurePrivateDir(dir)
  const path = join(
    dir,
    `set-values-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.yaml`,
  )
  await writeFile(path, text, {mode: 0o600})
  return path
}
