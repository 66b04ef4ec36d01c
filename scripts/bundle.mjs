#!/usr/bin/env node
// Build step: bundles src/ into dist/ with esbuild. Every file oclif or bin/run.js loads by
// path is an entry at the same place tsc would put it (dist/commands/**, dist/cli/help.js,
// …), so package.json's oclif section and the manifest read the same paths; what entries
// share (oclif, yaml, listr2, pg, execa, our core) goes into dist/chunks/, loaded once and
// only when an entry imports it. Source maps let --debug stack traces name src/ files.
import {build} from 'esbuild'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'

const root = new URL('../', import.meta.url).pathname
// CommonJS packages inside an ESM bundle still call require() for Node's modules.
const BANNER =
  "import {createRequire as __geniroRequire} from 'node:module';const require = __geniroRequire(import.meta.url);"

function typescriptFiles(dir) {
  return readdirSync(join(root, dir), {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return typescriptFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const entryPoints = [
  ...typescriptFiles('src/commands'),
  'src/cli/main.ts',
  'src/cli/help.ts',
  'src/cli/command-not-found.ts',
  'src/cli/fast-paths.ts',
  'src/cli/root-help-answers.ts',
  'src/forward/forward-supervisor.ts',
  'src/services/compose-detect-worker.ts',
]

const result = await build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  banner: {js: BANNER},
  external: [
    // Loaded by oclif as plugins from node_modules, with their own oclif.
    '@oclif/plugin-help',
    '@oclif/plugin-autocomplete',
    // Optional: pg uses the native binding only when asked; oclif loads a TypeScript
    // runtime only for a linked development checkout.
    'pg-native',
    'typescript',
    'ts-node',
    'tsx',
  ],
})

// Most files never call require(): their banner line is blanked (not removed, so the source
// maps' line numbers still hold), which spares each of them creating a require at load.
for (const file of Object.keys(result.metafile.outputs).filter((name) => name.endsWith('.js'))) {
  const path = join(root, file)
  const text = readFileSync(path, 'utf8')
  if (text.startsWith(BANNER) && !/\brequire\b/.test(text.slice(BANNER.length))) {
    writeFileSync(path, text.slice(BANNER.length))
  }
}

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'))
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0)
process.stderr.write(
  `bundled ${entryPoints.length} entries into ${outputs.length} files (${(bytes / 1024).toFixed(0)} KiB) in ${relative(process.cwd(), join(root, 'dist')) || 'dist'}\n`,
)
