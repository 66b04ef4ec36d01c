import {randomBytes} from 'node:crypto'
import {rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {UserError} from '../core/errors.js'
import {HelmYamlError, parseHelmYaml} from '../core/helm-yaml.js'
import {isMap, type Values} from '../core/set-values.js'
import {ensurePrivateDir, privateTempDir} from './private-dir.js'
import {readRegularFile} from './regular-file.js'

/** A values file the user named: it must exist and hold a YAML map, read as Helm reads it. */
export async function readValuesFile(path: string): Promise<Values> {
  const read = await readRegularFile(path, 'values file')
  if (!read.ok) {
    throw new UserError(
      `values file ${path} does not exist or cannot be read`,
      'check the path given to -f/--values',
    )
  }
  const text = read.text
  let parsed: unknown
  try {
    parsed = parseHelmYaml(text)
  } catch (error) {
    if (!(error instanceof HelmYamlError)) throw error
    throw new UserError(
      `values file ${path} is not valid YAML for Helm: ${error.message}`,
      'fix the YAML (Helm reads YAML 1.1: quote yes/no/on/off, 0755 and the like to keep them strings)',
    )
  }
  if (parsed === null) return {}
  if (!isMap(parsed))
    throw new UserError(
      `values file ${path} does not hold a map of values`,
      'a values file is a YAML mapping (key: value)',
    )
  return parsed
}

/** Prefix of the files of generated values (--set, bridge) in the private dir. */
export const GENERATED_VALUES_PREFIX = 'generated-values-'

/**
 * Where generated values (from --set, the bridge layer) will be written for Helm's -f: a new
 * name in the private per-user dir, which is checked now so a refused dir fails before anything
 * changes. Nothing is written yet (see writeGeneratedValues).
 */
export async function generatedValuesPath(): Promise<string> {
  const dir = privateTempDir()
  await ensurePrivateDir(dir)
  return join(dir, `${GENERATED_VALUES_PREFIX}${randomBytes(8).toString('hex')}.yaml`)
}

/**
 * Writes values for Helm to read with -f, readable by the current user only. The text is JSON,
 * which YAML reads as it is: no string can be taken for a YAML 1.1 boolean or number.
 */
export async function writeGeneratedValues(path: string, values: Values): Promise<void> {
  await writeFile(path, `${JSON.stringify(values, null, 2)}\n`, {mode: 0o600, flag: 'wx'})
}

/** Removes generated values files; a file already gone is fine. */
export async function removeGeneratedValues(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, {force: true})))
}
