import {stringify} from 'yaml'

/** Values as the YAML document Helm reads with -f. */
export function renderValuesYaml(values: Record<string, unknown>): string {
  return stringify(values)
}
