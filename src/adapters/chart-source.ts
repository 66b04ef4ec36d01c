import {createHash} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {parse} from 'yaml'
import {BUNDLED_CHART} from './package-files.js'

export {BUNDLED_CHART, ISOLATED_VALUES} from './package-files.js'

export interface ChartIdentity {
  name: string
  version: string
  /** sha256 of every file of the chart, so a changed template counts as a change. */
  digest: string
}

export async function chartIdentity(dir = BUNDLED_CHART): Promise<ChartIdentity> {
  const meta = parse(await readFile(join(dir, 'Chart.yaml'), 'utf8')) as {
    name: string
    version: string
  }
  const hash = createHash('sha256')
  for (const file of (await listFiles(dir)).sort()) {
    hash.update(`${relative(dir, file)}\0`)
    hash.update(await readFile(file))
  }
  return {name: meta.name, version: String(meta.version), digest: hash.digest('hex').slice(0, 16)}
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {withFileTypes: true})
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name)
      return entry.isDirectory() ? listFiles(path) : Promise.resolve([path])
    }),
  )
  return nested.flat()
}
