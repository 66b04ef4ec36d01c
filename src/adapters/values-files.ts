import {mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse, stringify} from 'yaml'
import {UserError} from '../core/errors.js'
import {isMap, type Values} from '../core/set-values.js'

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

/** Writes values (e.g. from --set) to a private temp file Helm can read with -f. */
export async function writeTempValues(name: string, values: Values): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'geniro-dev-'))
  const path = join(dir, name)
  await writeFile(path, stringify(values), {mode: 0o600})
  return path
}
