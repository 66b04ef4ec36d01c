import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {arch, platform} from 'node:process'
import {renderRootHelp, type ManifestCommand} from './root-help.js'

interface PackageJson {
  name: string
  version: string
  description: string
  oclif: {bin: string; plugins?: string[]; topicSeparator?: string}
}

/**
 * Answers root `--help` and `--version` without importing oclif, which costs about
 * as much again as Node's own start. Returns false when oclif must handle argv;
 * so does a checkout without a generated manifest.
 */
export function tryLeanDispatch(argv: string[], root: URL): boolean {
  const only = argv.length === 1 ? argv[0] : undefined
  const wantsHelp = argv.length === 0 || only === '--help' || only === '-h' || only === 'help'
  const wantsVersion = only === '--version' || only === '-v' || only === 'version'
  if (!wantsHelp && !wantsVersion) return false
  const manifestPath = new URL('oclif.manifest.json', root)
  if (!existsSync(manifestPath)) return false
  const pkg = readJson<PackageJson>(new URL('package.json', root))
  const versionLine = `${pkg.oclif.bin}/${pkg.version} ${platform}-${arch} node-${process.version}`
  if (wantsVersion) {
    process.stdout.write(`${versionLine}\n`)
    return true
  }
  const requireFromRoot = createRequire(new URL('package.json', root))
  const pluginManifests = (pkg.oclif.plugins ?? []).map((plugin) =>
    pluginManifest(requireFromRoot, plugin),
  )
  if (pluginManifests.includes(undefined)) return false
  const commands = [manifestPath, ...pluginManifests].flatMap((path) =>
    Object.values(
      readJson<{commands: Record<string, ManifestCommand>}>(path as URL | string).commands,
    ),
  )
  process.stdout.write(
    renderRootHelp({
      bin: pkg.oclif.bin,
      description: pkg.description,
      versionLine,
      commands,
      topicSeparator: pkg.oclif.topicSeparator ?? ':',
    }),
  )
  return true
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
