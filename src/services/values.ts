import {ISOLATED_VALUES} from '../adapters/chart-source.js'
import {
  generatedValuesPath,
  readValuesFile,
  removeGeneratedValues,
  writeGeneratedValues,
} from '../adapters/values-files.js'
import {bridgeRedisValues, bridgeValues} from '../core/bridge-values.js'
import {mergeValues, redactSetArgument, setLayerValues, type Values} from '../core/set-values.js'
import {planBridge, type BridgeEndpoint, type BridgeInput} from './bridge/plan.js'
import {plannedRoute} from './bridge/route.js'
import type {Toolbox} from './toolbox.js'

export interface ValuesInput {
  valuesFiles: string[]
  sets: string[]
}

export interface ValuesLayer {
  /** How the layer is shown; never a --set value (those are `***`). */
  label: string
  /** The file Helm reads with -f; none for a layer geniro-dev generates (--set, bridge). */
  file?: string
  values: Values
  /** The --set layer: its arguments, parsed into the layers before it as Helm parses --set. */
  sets?: string[]
}

/** What a plan (--dry-run) shows for a values file that is only written when Helm runs. */
export const GENERATED_VALUES_PLACEHOLDER = '<generated values file>'

/**
 * The values layers `up` gives Helm, in order (later wins): the isolated defaults, each -f
 * file, then --set, which geniro-dev parses itself as Helm does (into the values before it, so
 * `--set list[1]=x` changes one item of a list from a file) and gives Helm as one more file.
 * Every file is read (and every --set parsed) first, so bad input changes nothing.
 */
export async function valuesLayers(input: ValuesInput): Promise<ValuesLayer[]> {
  const layers: ValuesLayer[] = [
    {
      label: `isolated defaults (${ISOLATED_VALUES})`,
      file: ISOLATED_VALUES,
      values: await readValuesFile(ISOLATED_VALUES),
    },
  ]
  for (const file of input.valuesFiles)
    layers.push({label: `-f ${file}`, file, values: await readValuesFile(file)})
  if (input.sets.length > 0) {
    layers.push({
      label: input.sets.map((set) => `--set ${redactSetArgument(set)}`).join(' '),
      sets: input.sets,
      values: setLayerValues(mergeLayers(layers), input.sets),
    })
  }
  return layers
}

/** The layers with the --set layer parsed into the layers before it (a bridge layer may be new). */
function resolvedLayers(layers: ValuesLayer[]): ValuesLayer[] {
  let merged: Values = {}
  return layers.map((layer) => {
    const values = layer.sets ? setLayerValues(merged, layer.sets) : layer.values
    merged = mergeValues(merged, values)
    return {...layer, values}
  })
}

/** The layers as Helm gets them, a file each, and the way to run Helm with them. */
export interface HelmValuesFiles {
  /** In order; a generated layer's file is where it is written (a placeholder under --dry-run). */
  layers: Array<ValuesLayer & {file: string}>
  /**
   * Writes the generated files (private, 0600), runs `use` (Helm), then removes them whatever
   * happens: success, failure or Ctrl-C. A --set value stays on disk only while Helm runs.
   */
  whileWritten<T>(use: () => Promise<T>): Promise<T>
}

/**
 * The layers as Helm reads them: the user's files as they are, the generated layers (--set,
 * bridge) as files that exist only while Helm runs. Under --dry-run nothing is written and the
 * plan shows GENERATED_VALUES_PLACEHOLDER; `geniro-dev values` never writes one.
 */
export async function valuesFilesForHelm(
  layers: ValuesLayer[],
  dryRun = false,
): Promise<HelmValuesFiles> {
  const generated: Array<{file: string; values: Values}> = []
  const helmLayers: Array<ValuesLayer & {file: string}> = []
  for (const layer of resolvedLayers(layers)) {
    if (layer.file) {
      helmLayers.push({...layer, file: layer.file})
      continue
    }
    const file = dryRun ? GENERATED_VALUES_PLACEHOLDER : await generatedValuesPath()
    if (!dryRun) generated.push({file, values: layer.values})
    helmLayers.push({
      ...layer,
      file,
      label: `${layer.label} (${dryRun ? 'a generated file' : `written to ${file}`} while Helm runs)`,
    })
  }
  return {
    layers: helmLayers,
    async whileWritten(use) {
      try {
        for (const {file, values} of generated) await writeGeneratedValues(file, values)
        return await use()
      } finally {
        await removeGeneratedValues(generated.map(({file}) => file))
      }
    },
  }
}

/** The exact user values `up` installs. */
export function mergeLayers(layers: ValuesLayer[]): Values {
  return resolvedLayers(layers).reduce<Values>(
    (merged, layer) => mergeValues(merged, layer.values),
    {},
  )
}

/** What `values --mode bridge` chose in the Compose project, for the user and for --json. */
export interface BridgeChoice {
  project: string
  postgresql: {service: string; published: number; target: number}
  redis?: {service: string; published: number; target: number; database: number}
  /** As `bridge` prints them: loopback-only publishing, a host range. */
  warnings: string[]
}

/**
 * The bridge layer as `values --mode bridge` prints it: the Compose PostgreSQL at the given
 * (or detected) host address, and the cluster's own databases; with --bridge-services redis
 * the Compose Redis too, with the cluster's own database there. Nothing is probed or created.
 */
export async function bridgeLayer(
  input: BridgeInput,
  tools: Pick<Toolbox, 'compose' | 'docker' | 'providers'>,
): Promise<{layer: ValuesLayer; choice: BridgeChoice}> {
  const source = await planBridge(input, tools.compose)
  const route = await plannedRoute(source, input, tools)
  const redis = source.redis
  const redisValues = redis
    ? bridgeRedisValues({
        route: await plannedRoute(redis, input, tools),
        database: redis.database,
        auth: redis.password !== '',
      })
    : {}
  const endpoint = ({service, published, target}: BridgeEndpoint) => ({service, published, target})
  return {
    layer: {
      label: `bridge values (Compose ${source.project}/${source.service}${redis ? ` and ${redis.service}` : ''})`,
      values: mergeValues(bridgeValues(route, source.plan), redisValues),
    },
    choice: {
      project: source.project,
      postgresql: endpoint(source),
      ...(redis ? {redis: {...endpoint(redis), database: redis.database}} : {}),
      warnings: [...source.warnings, ...(redis?.warnings ?? [])],
    },
  }
}
