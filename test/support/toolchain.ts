import {existsSync, mkdtempSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execFileSync} from 'node:child_process'

/** Where scripts/toolchain.sh installed the real tools. */
export const TOOLCHAIN_DIR =
  process.env.GENIRO_DEV_TOOLCHAIN_DIR ??
  join(
    process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'),
    'geniro-dev',
    'toolchain',
  )

export const TOOLS = {
  helm4: join(TOOLCHAIN_DIR, 'helm4/helm/helm'),
  helm3: join(TOOLCHAIN_DIR, 'helm3/helm/helm'),
  helm318: join(TOOLCHAIN_DIR, 'helm318/helm/helm'),
  kubectl134: join(TOOLCHAIN_DIR, 'helm4/kubectl/kubectl'),
  kubectl132: join(TOOLCHAIN_DIR, 'helm3/kubectl/kubectl'),
  kind: join(TOOLCHAIN_DIR, 'bin/kind'),
  dockerCompose: join(TOOLCHAIN_DIR, 'bin/docker-compose'),
  node22: join(TOOLCHAIN_DIR, 'node22/package/bin/node'),
  node26: join(TOOLCHAIN_DIR, 'node26/package/bin/node'),
} as const

/** Docker's config dir holding the Compose v2 plugin from the toolchain. */
export const DOCKER_CONFIG_WITH_COMPOSE = join(TOOLCHAIN_DIR, 'docker-config')

/** Fails loudly (never skips) when the toolchain is missing. */
export function requireTool(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`bash scripts/toolchain.sh\` first`)
  }
  return path
}

/** The docker CLI of this machine (the engine package's, or another on PATH). */
export function dockerCli(): string {
  return execFileSync('sh', ['-c', 'command -v docker'], {encoding: 'utf8'}).trim()
}

/**
 * A directory of symlinks to exactly the tools a test wants, to use as the whole
 * PATH: what is not linked is "not installed".
 */
export function pathWith(tools: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdev-path-'))
  for (const [name, target] of Object.entries(tools))
    symlinkSync(requireTool(target), join(dir, name))
  return dir
}
