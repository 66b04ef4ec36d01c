import {ISOLATED_VALUES} from '../adapters/chart-source.js'
import {readValuesFile, writeTempValues} from '../adapters/values-files.js'
import {mergeValues, parseSet, type Values} from '../core/set-values.js'

export interface ValuesInput {
  valuesFiles: string[]
  sets: string[]
}

export interface ValuesLayer {
  label: string
  /** The file Helm reads with -f. */
  file: string
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
    const file = await writeTempValues('set-values.yaml', setValues)
    layers.push({
      label: `--set ${input.sets.join(' --set ')} (written to ${file})`,
      file,
      values: setValues,
    })
  }
  return layers
}

/** The exact user values `up` installs. */
export function mergeLayers(layers: ValuesLayer[]): Values {
  return layers.reduce<Values>((merged, layer) => mergeValues(merged, layer.values), {})
}
