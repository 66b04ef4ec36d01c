import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * The installed package's root: the nearest directory above this module with a package.json.
 * Found rather than fixed, because this code runs from src/adapters (tests), from an entry in
 * dist/<dir>/ or from a shared chunk of the bundle, at different depths.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
  return dir
}

export const PACKAGE_ROOT = findPackageRoot()

/** A file shipped with the package, by its path from the package root. */
export function packageFile(...segments: string[]): string {
  return join(PACKAGE_ROOT, ...segments)
}

/** The chart geniro-dev ships, and the values and kind templates beside it. */
export const BUNDLED_CHART = packageFile('helm', 'geniro')
export const ISOLATED_VALUES = packageFile('templates', 'isolated-values.yaml')
export const KIND_CONFIG_TEMPLATE = packageFile('templates', 'kind-config.yaml')

/** Entry points started as their own process or thread; built files, so they need a build. */
export const SUPERVISOR_ENTRY = packageFile('dist', 'forward', 'forward-supervisor.js')
export const COMPOSE_WORKER_ENTRY = packageFile('dist', 'services', 'compose-detect-worker.js')
