import {
  BRIDGE_REDIS_SECRET,
  BRIDGE_SECRET,
  BRIDGE_SECRET_PASSWORD_KEY,
} from '../core/bridge-values.js'
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

/** What `values --json` prints; for people, the values file (renderValues). */
export interface ValuesResult {
  mode: 'isolated' | 'bridge'
  values: Record<string, unknown>
  redacted: string[]
  bridge?: BridgeChoice
}

/** The values file on stdout: bridge mode's note, the redaction note, then the YAML. */
export function renderValues(result: ValuesResult): string {
  return [
    result.mode === 'bridge' ? BRIDGE_VALUES_NOTE : '',
    result.redacted.length > 0 ? redactionNote(result.redacted.length) : '',
    renderValuesYaml(result.values),
  ].join('')
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
  return lines.join('\n')
}

const BRIDGE_VALUES_NOTE = `# Bridge mode. The password of externalPostgresql.username is not in this file: it is the
# key "${BRIDGE_SECRET_PASSWORD_KEY}" of the Secret "${BRIDGE_SECRET}" in the release namespace, which
# \`geniro-dev bridge\` creates with the role and its databases. Without geniro-dev:
#   kubectl -n NAMESPACE create secret generic ${BRIDGE_SECRET} --from-literal=${BRIDGE_SECRET_PASSWORD_KEY}=...
# With --bridge-services redis, the Compose Redis's password is likewise the key "password" of
# the Secret "${BRIDGE_REDIS_SECRET}" (empty when that Redis has none).
`
