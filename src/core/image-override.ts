// A locally built image in place of a component's published one: which values block holds the
// image, the content tag geniro-dev gives it, and the values override that points the chart at
// it. Pure: the Docker engine, the cluster and the state file are the services' business.
import {UsageError} from './errors.js'
import {cloneValues, isMap, type Values} from './set-values.js'

/** The chart's components that run one image from an `image` block, and where that block is. */
const IMAGE_BLOCKS = {
  api: ['api'],
  web: ['web'],
  litellm: ['litellm'],
  keycloak: ['keycloak'],
  postgresql: ['postgresql'],
  redis: ['redis'],
  qdrant: ['qdrant'],
  'daytona-api': ['daytona', 'api'],
  'daytona-runner': ['daytona', 'runner'],
  'daytona-proxy': ['daytona', 'proxy'],
} as const satisfies Record<string, readonly string[]>

export type ImageComponent = keyof typeof IMAGE_BLOCKS
export const IMAGE_COMPONENTS = Object.keys(IMAGE_BLOCKS) as ImageComponent[]

/** The prefix of every tag geniro-dev gives a local image: `gdev-` and 12 hex of its ID. */
export const CONTENT_TAG_PREFIX = 'gdev-'
const CONTENT_TAG_HEX = 12

export function parseImageComponent(name: string): ImageComponent {
  if (Object.hasOwn(IMAGE_BLOCKS, name)) return name as ImageComponent
  throw new UsageError(`unknown component "${name}"`, `use one of: ${IMAGE_COMPONENTS.join(', ')}`)
}

/** `api=IMAGE` (the form of `up --image`), checked before anything runs. */
export function parseImageAssignment(text: string): {component: ImageComponent; image: string} {
  const at = text.indexOf('=')
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(
      `--image "${text}" is not COMPONENT=IMAGE`,
      'e.g. --image api=geniro-api:dev (a local Docker image)',
    )
  }
  const image = text.slice(at + 1)
  requireImageName(image)
  return {component: parseImageComponent(text.slice(0, at)), image}
}

/** Every `--image`, each component at most once. */
export function parseImageAssignments(
  texts: readonly string[],
): Array<{component: ImageComponent; image: string}> {
  const assignments = texts.map((text) => parseImageAssignment(text))
  const twice = assignments.find(
    (a, i) => assignments.findIndex((b) => b.component === a.component) !== i,
  )
  if (twice) {
    throw new UsageError(`--image names ${twice.component} twice`, 'give each component one image')
  }
  return assignments
}

/** The key path of a component's values block: `api` → [api], `daytona-api` → [daytona, api]. */
export function componentValuesPath(component: ImageComponent): readonly string[] {
  return IMAGE_BLOCKS[component]
}

/**
 * Whether the release runs the component, from its values (chart defaults: every component
 * on, Daytona off). A Daytona component needs `daytona.enabled` and its own switch.
 */
export function imageComponentEnabled(values: Values, component: ImageComponent): boolean {
  const path = componentValuesPath(component)
  if (path[0] === 'daytona') {
    const daytona = values.daytona
    if (!isMap(daytona) || daytona.enabled !== true) return false
  }
  const block = valueAt(values, path)
  return !(isMap(block) && block.enabled === false)
}

/** The `--set` that turns a disabled component on, for hints. */
export function enableHint(component: ImageComponent): string {
  const path = componentValuesPath(component)
  const sets = path[0] === 'daytona' && path.length > 1 ? ['daytona.enabled=true'] : []
  return [...sets, `${path.join('.')}.enabled=true`].map((set) => `--set ${set}`).join(' ')
}

/** A Docker image reference, as the engine and containerd normalise it. */
export interface ImageReference {
  /** Registry host[:port]; docker.io when the name has none. */
  domain: string
  /** Repository path; `library/` is added to a single docker.io component, as Docker does. */
  path: string
  tag?: string
  digest?: string
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REFERENCE = new RegExp(
  `^(?:([a-zA-Z0-9.-]+(?::\\d+)?)/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`,
)
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/

/**
 * Parses `[domain/]path[:tag][@digest]` as Docker does: the first part is a registry only when
 * it has a dot or a port, or is `localhost`. Undefined for what is not a name.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = REFERENCE.exec(text)
  if (!match) return undefined
  let first = match[1]
  let rest = match[2]!
  const [tag, digest] = [match[3], match[4]]
  if (first && !/[.:]/.test(first) && first !== 'localhost') {
    if (/[A-Z]/.test(first)) return undefined
    rest = `${first}/${rest}`
    first = undefined
  }
  const domain = first ?? 'docker.io'
  const path = domain === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest
  return {domain, path, ...(tag ? {tag} : {}), ...(digest ? {digest} : {})}
}

/** A name the engine can look up: a reference or an image ID; anything else is refused. */
export function requireImageName(text: string): void {
  if (IMAGE_ID.test(text) || parseImageReference(text)) return
  throw new UsageError(
    `"${text}" is not an image name`,
    'give a local Docker image as NAME[:TAG] or its ID (see `docker images`)',
  )
}

/** The short form Docker shows: `geniro-api:tag` for docker.io/library/geniro-api:tag. */
export function familiarName(domain: string, path: string): string {
  if (domain !== 'docker.io') return `${domain}/${path}`
  return path.startsWith('library/') ? path.slice('library/'.length) : path
}

/** `gdev-` and the first 12 hex of an image ID (`sha256:…`): it changes with the content. */
export function contentTag(imageId: string): string {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(imageId)?.[1]
  if (!hex) throw new Error(`not an image ID: ${imageId}`)
  return `${CONTENT_TAG_PREFIX}${hex.slice(0, CONTENT_TAG_HEX)}`
}

/** The chart's image block that points a component at a loaded local image. */
export interface ImageValues {
  registry: string
  repository: string
  tag: string
  digest: ''
  pullPolicy: 'IfNotPresent'
}

export interface LocalImagePlan {
  component: ImageComponent
  /** What the user named (a tag or an ID). */
  source: string
  /** Unknown in the plan of a build that has not run (the tag then shows a placeholder). */
  imageId?: string
  /** The content tag geniro-dev creates and loads, exactly as the chart will render it. */
  reference: string
  image: ImageValues
}

/**
 * How a component runs a local image. The image gets a tag derived from its ID (never
 * `latest`: a new build is a new tag, so the Deployment's template changes and Kubernetes
 * rolls it; the same build is the same tag, so nothing rolls). The repository is the image's
 * own (an ID alone becomes `geniro-dev/<component>`). pullPolicy IfNotPresent: the node has the
 * loaded image and never asks a registry for it; the digest is cleared, since it wins over the
 * tag. With `global.imageRegistry` set, the chart renders that registry for every image, so
 * the tag is created under it too.
 */
export function planLocalImage(input: {
  component: ImageComponent
  source: string
  imageId?: string
  globalRegistry?: string
}): LocalImagePlan {
  const named = IMAGE_ID.test(input.source) ? undefined : parseImageReference(input.source)
  const domain = named?.domain ?? 'docker.io'
  const path = named?.path ?? `geniro-dev/${input.component}`
  const tag = input.imageId ? contentTag(input.imageId) : `${CONTENT_TAG_PREFIX}<image ID>`
  const rendered = input.globalRegistry || domain
  return {
    component: input.component,
    source: input.source,
    ...(input.imageId ? {imageId: input.imageId} : {}),
    reference: `${familiarName(rendered, path)}:${tag}`,
    image: {registry: domain, repository: path, tag, digest: '', pullPolicy: 'IfNotPresent'},
  }
}

/** The values override for components running local images (later entries win). */
export function localImageValues(
  images: ReadonlyArray<{component: ImageComponent; image: ImageValues}>,
): Values {
  const values: Values = {}
  for (const {component, image} of images)
    setValueAt(values, [...componentValuesPath(component), 'image'], {...image})
  return values
}

/** The `global.imageRegistry` the chart renders every image under, if set. */
export function globalRegistry(values: Values): string | undefined {
  const registry = valueAt(values, ['global', 'imageRegistry'])
  return typeof registry === 'string' && registry !== '' ? registry : undefined
}

/** A component's image block in a release's user values (to put back on reset). */
export function imageBlock(values: Values, component: ImageComponent): Values | undefined {
  const block = valueAt(values, [...componentValuesPath(component), 'image'])
  return isMap(block) ? (cloneValues(block) as Values) : undefined
}

/**
 * The values with a component's image block put back as it was before the local image
 * (`previous`), or removed when there was none; maps left empty by the removal go too, so the
 * values equal what `up` computes without the override.
 */
export function withImageBlock(
  values: Values,
  component: ImageComponent,
  previous: Values | undefined,
): Values {
  const result = cloneValues(values) as Values
  const path = [...componentValuesPath(component), 'image']
  if (previous) {
    setValueAt(result, path, cloneValues(previous))
    return result
  }
  removeValueAt(result, path)
  return result
}

/** Whether the values point the component at this very content tag. */
export function runsImage(values: Values, component: ImageComponent, image: ImageValues): boolean {
  const block = imageBlock(values, component)
  return (
    block !== undefined &&
    block.repository === image.repository &&
    block.tag === image.tag &&
    (block.digest ?? '') === ''
  )
}

/** A kept local image as `status` and `geniro-dev image` show it. */
export interface LocalImageSummary {
  component: ImageComponent
  image: string
  reference: string
  loadedAt: string
  /** The release's values point at it (false: the next `up` applies it again). */
  running: boolean
}

/** The kept local images, and which of them the release's values run. */
export function summarizeLocalImages(
  records: ReadonlyArray<{
    component: ImageComponent
    source: string
    reference: string
    loadedAt: string
    image: ImageValues
  }>,
  values: Values | undefined,
): LocalImageSummary[] {
  return records.map((r) => ({
    component: r.component,
    image: r.source,
    reference: r.reference,
    loadedAt: r.loadedAt,
    running: values !== undefined && runsImage(values, r.component, r.image),
  }))
}

function valueAt(values: Values, path: readonly string[]): unknown {
  let current: unknown = values
  for (const key of path) {
    if (!isMap(current) || !Object.hasOwn(current, key)) return undefined
    current = current[key]
  }
  return current
}

function setValueAt(values: Values, path: readonly string[], value: unknown): void {
  let current = values
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined
    if (!isMap(next)) current[key] = {}
    current = current[key] as Values
  }
  current[path.at(-1)!] = value
}

function removeValueAt(values: Values, path: readonly string[]): void {
  const [key, ...rest] = path
  if (key === undefined || !Object.hasOwn(values, key)) return
  if (rest.length === 0) {
    delete values[key]
    return
  }
  const child = values[key]
  if (!isMap(child)) return
  removeValueAt(child, rest)
  if (Object.keys(child).length === 0) delete values[key]
}
