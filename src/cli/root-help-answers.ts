import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {renderRootHelp, type ManifestCommand} from './root-help.js'

interface PackageJson {
  name: string
  version: string
  description: string
  oclif: {bin: string; plugins?: string[]; topicSeparator?: string}
}

/** What bin/run.js answers root `--help` and `--version` from, without loading oclif. */
export interface LeanAnswers {
  /** With {platform} and {node} to fill in at run time. */
  versionLine: string
  /** Root help with {version} where the version line goes. */
  help: string
}

export const LEAN_ANSWERS_FILE = 'dist/root-help.json'
const VERSION_TEMPLATE = '{platform} node-{node}'

/**
 * Composes root help from the generated manifests of the CLI and its plugins. Run at build
 * time, after `oclif manifest`: at run time reading and rendering three manifests would cost
 * a noticeable share of Node's own start.
 */
export function composeLeanAnswers(root: URL): LeanAnswers | undefined {
  const manifestPath = new URL('oclif.manifest.json', root)
  if (!existsSync(manifestPath)) return undefined
  const pkg = readJson<PackageJson>(new URL('package.json', root))
  const requireFromRoot = createRequire(new URL('package.json', root))
  const pluginManifests = (pkg.oclif.plugins ?? []).map((plugin) =>
    pluginManifest(requireFromRoot, plugin),
  )
  if (pluginManifests.includes(undefined)) return undefined
  const commands = [manifestPath, ...pluginManifests].flatMap((path) =>
    Object.values(
      readJson<{commands: Record<string, ManifestCommand>}>(path as URL | string).commands,
    ),
  )
  const versionLine = `${pkg.oclif.bin}/${pkg.version} ${VERSION_TEMPLATE}`
  const help = renderRootHelp({
    bin: pkg.oclif.bin,
    description: pkg.description,
    versionLine: '{version}',
    commands,
    topicSeparator: pkg.oclif.topicSeparator ?? ':',
  })
  return {versionLine, help}
}

/** Writes the composed answers for bin/run.js (part of `npm run build`). */
export function writeLeanAnswers(root: URL): void {
  const answers = composeLeanAnswers(root)
  if (!answers) throw new Error('cannot compose root help: run `oclif manifest` first')
  writeFileSync(new URL(LEAN_ANSWERS_FILE, root), `${JSON.stringify(answers)}\n`)
}

/** The plugin's manifest, found the way Node would find the plugin itself. */
function pluginManifest(requireFromRoot: NodeJS.Require, plugin: string): string | undefined {
  const candidates = (requireFromRoot.resolve.paths(plugin) ?? []).map(
    (dir) => `${dir}/${plugin}/oclif.manifest.json`,
  )
  return candidates.find((path) => existsSync(path))
}

function readJson<T>(path: URL | string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}
