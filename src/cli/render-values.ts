import {stringifyHelmYaml} from '../core/helm-yaml.js'
import {REDACTED} from '../core/secret-values.js'
import type {BridgeChoice} from '../services/values.js'

/** Values as the YAML document Helm reads with -f (strings Helm would retype are quoted). */
export function renderValuesYaml(values: Record<string, unknown>): string {
  return stringifyHelmYaml(values)
}

/** The comment on top of `geniro-dev values` when secrets are hidden. */
export function redactionNote(count: number): string {
  return `# ${count} secret value${count === 1 ? ' is' : 's are'} shown as "${REDACTED}" (under secrets, or keys naming a password,
# token, key, salt or secret). Pass --show-secrets to print them, e.g. to pipe this into Helm.
`
}

/** Which Compose services the values point at, and the warnings `bridge` would print. */
export function renderBridgeChoice(choice: BridgeChoice): string {
  const {postgresql, redis} = choice
  const lines = [
    `Compose project ${choice.project}: PostgreSQL is service ${postgresql.service} (host port ${postgresql.published} -> ${postgresql.target})` +
      (redis
        ? `, Redis is service ${redis.service} (host port ${redis.published} -> ${redis.target}, database ${redis.database})`
        : ''),
    ...choice.warnings.map((warning) => `Warning: ${warning}`),
  ]
  return `${lines.join('\n')}\n`
}
