import {ISOLATED_VALUES} from '../adapters/chart-source.js'
import {readValuesFile, writeValuesForHelm} from '../adapters/values-files.js'
import {bridgeRedisValues, bridgeValues} from '../core/bridge-values.js'
import {mergeValues, parseSet, type Values} from '../core/set-values.js'
import {planBridge, plannedRoute, type BridgeInput} from './bridge.js'
import type {Toolbox} from './toolbox.js'

export interface ValuesInput {
  valuesFiles: string[]
  sets: string[]
}

export interface ValuesLayer {
  label: string
  /** The file Helm reads with -f; none yet for --set (see valuesFilesForHelm). */
  file?: string
  values: Values
}

/**
 * The values layers `up` gives Helm, in order (later wins): the isolated defaults, each -f
 * file, then --set, which geniro-dev parses itself and writes to one generated file.
 * Every file is read (and every --set parsed) first, so bad input changes nothing.
 */
export async function valuesLayers(input: ValuesInput): Promise<ValuesLayer[]> {
  const setValues = input.sets.reduce<Values>(
    (merged, argument) => mergeValues(merged, parseSet(argument)),
    {},
  )
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
    layers.push({label: `--set ${input.sets.join(' --set ')}`, values: setValues})
  }
  return layers
}

/**
 * The layers as Helm gets them: a file each, in order. Only here, for an install, is the
 * --set layer written to a file; `geniro-dev values` never writes one.
 */
export async function valuesFilesForHelm(
  layers: ValuesLayer[],
): Promise<Array<ValuesLayer & {file: string}>> {
  return Promise.all(
    layers.map(async (layer) => {
      if (layer.file) return {...layer, file: layer.file}
      const file = await writeValuesForHelm(layer.values)
      return {...layer, file, label: `${layer.label} (written to ${file})`}
    }),
  )
}

/** The exact user values `up` installs. */
export function mergeLayers(layers: ValuesLayer[]): Values {
  return layers.reduce<Values>((merged, layer) => mergeValues(merged, layer.values), {})
}

/**
 * The bridge layer as `values --mode bridge` prints it: the Compose PostgreSQL at the given
 * (or detected) host address, and the cluster's own databases; with --bridge-services redis
 * the Compose Redis too, with the cluster's own database there. Nothing is probed or created.
 */
export async function bridgeLayer(
  input: BridgeInput,
  tools: Pick<Toolbox, 'compose' | 'docker'>,
): Promise<ValuesLayer> {
  const source = await planBridge(input, tools.compose)
  const route = await plannedRoute(source, input, tools.docker)
  const redis = source.redis
  const redisValues = redis
    ? bridgeRedisValues({
        route: await plannedRoute(redis, input, tools.docker),
        database: redis.database,
        auth: redis.password !== '',
      })
    : {}
  return {
    label: `bridge values (Compose ${source.project}/${source.service}${redis ? ` and ${redis.service}` : ''})`,
    values: mergeValues(bridgeValues(route, source.plan), redisValues),
  }
}
