import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {UserError} from '../core/errors.js'
import {parsePortOverrides} from '../core/forward-plan.js'

/** `$GENIRO_DEV_CONFIG`, else `$XDG_CONFIG_HOME/geniro-dev/config.yaml`. */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENIRO_DEV_CONFIG) return env.GENIRO_DEV_CONFIG
  return join(
    env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'),
    'geniro-dev',
    'config.yaml',
  )
}

/**
 * Local ports per forward from the config file (`ports: {api: 15001}`); a missing file is
 * no configuration, a broken one is an error that names it.
 */
export async function configuredPorts(file = userConfigPath()): Promise<Record<string, number>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new UserError(
      `cannot read ${file}: ${(error as Error).message}`,
      'fix or remove the file',
    )
  }
  const {parse} = await import('yaml')
  let config: unknown
  try {
    config = parse(text)
  } catch (error) {
    throw new UserError(
      `${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      'fix or remove the file',
    )
  }
  const ports = (config as {ports?: unknown} | null)?.ports
  if (ports === undefined || ports === null) return {}
  if (typeof ports !== 'object' || Array.isArray(ports)) {
    throw new UserError(`${file}: "ports" must be a map of NAME: PORT`, 'e.g. ports: {api: 15001}')
  }
  try {
    return parsePortOverrides(
      Object.entries(ports).map(([name, port]) => `${name}=${String(port)}`),
    )
  } catch (error) {
    throw new UserError(
      `${file}: ${(error as UserError).message.replace('--port ', 'port ')}`,
      'e.g. ports: {api: 15001}',
    )
  }
}
