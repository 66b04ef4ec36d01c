// The local images a release runs in place of published ones (`image load`, `build`,
// `up --image`), kept in the release's state dir beside the forwards' state so that later
// `up` runs apply them again, until `image reset`. Read by `status` on its fast path: no YAML.
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {UserError} from '../core/errors.js'
import {IMAGE_COMPONENTS, type ImageComponent, type ImageValues} from '../core/image-override.js'
import {isMap, type Values} from '../core/set-values.js'
import {writeJsonAtomic} from './state-files.js'
import {type ForwardStateDir} from './forward-state.js'

export interface LocalImageRecord {
  component: ImageComponent
  /** The image as the user named it. */
  source: string
  imageId: string
  /** The content tag loaded into the cluster. */
  reference: string
  /** The component's image block pointing at it. */
  image: ImageValues
  /**
   * The component's image block in the release's values before the local image, put back by
   * `image reset`; absent when the values had none (the chart's default applies again).
   */
  previous?: Values
  /** ISO 8601. */
  loadedAt: string
}

const IMAGES_FILE = 'images.json'

export function localImagesFile(dir: ForwardStateDir): string {
  return join(dir.dir, IMAGES_FILE)
}

/** The kept local images, one per component; none when nothing was loaded. */
export function readLocalImages(dir: ForwardStateDir): LocalImageRecord[] {
  const file = localImagesFile(dir)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw unusable(file, `cannot be read (${(error as NodeJS.ErrnoException).code})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw unusable(file, 'is not valid JSON')
  }
  if (!Array.isArray(value) || !value.every(isRecord)) {
    throw unusable(file, 'holds something geniro-dev did not write')
  }
  return value
}

/** Records the images (replacing the file whole); an empty list removes it. */
export function writeLocalImages(dir: ForwardStateDir, records: LocalImageRecord[]): void {
  if (records.length === 0) {
    forgetLocalImages(dir)
    return
  }
  dir.ensure()
  const sorted = [...records].sort((a, b) => a.component.localeCompare(b.component))
  writeJsonAtomic(localImagesFile(dir), sorted)
}

export function forgetLocalImages(dir: ForwardStateDir): void {
  rmSync(localImagesFile(dir), {force: true})
}

function unusable(file: string, problem: string): UserError {
  return new UserError(
    `the local-image record ${file} ${problem}`,
    '`geniro-dev image reset` removes it (the release keeps running what it runs)',
  )
}

function isRecord(value: unknown): value is LocalImageRecord {
  if (!isMap(value)) return false
  const image = value.image
  return (
    typeof value.component === 'string' &&
    (IMAGE_COMPONENTS as string[]).includes(value.component) &&
    typeof value.source === 'string' &&
    typeof value.imageId === 'string' &&
    typeof value.reference === 'string' &&
    typeof value.loadedAt === 'string' &&
    (value.previous === undefined || isMap(value.previous)) &&
    isMap(image) &&
    ['registry', 'repository', 'tag'].every((key) => typeof image[key] === 'string')
  )
}
