/**
 * How a developer signs in to what `up` installed: the chart's local-development values seed a
 * realm user whose password the chart generates into its Secret (never into values). Pure: it
 * reads the values Helm gets and the release's coordinates.
 */
import {componentEnabled, type ServiceUrl} from './forward-urls.js'
import {isMap, type Values} from './set-values.js'

export interface FirstLogin {
  /** Where to open the app (the web forward). */
  url: string
  username: string
  /** The Secret and key holding the generated password. */
  secret: string
  key: string
  /** The kubectl command that prints the password (argv; the caller quotes it for a shell). */
  passwordCommand: string[]
}

const CHART_NAME = 'geniro'
export const SEED_USER_PASSWORD_KEY = 'keycloak-seed-user-password'

function block(values: Values, ...path: string[]): Values {
  let node: unknown = values
  for (const key of path) node = isMap(node) ? node[key] : undefined
  return isMap(node) ? node : {}
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The chart's `geniro.fullname`: fullnameOverride, else the release (when it names the chart) or `<release>-<chart>`. */
export function releaseFullname(release: string, values: Values): string {
  const trim = (name: string) => name.slice(0, 63).replace(/-+$/, '')
  const override = text(values.fullnameOverride)
  if (override) return trim(override)
  const name = text(values.nameOverride) || CHART_NAME
  return trim(release.includes(name) ? release : `${release}-${name}`)
}

/**
 * The first login, when the chart's Keycloak seeds a user (keycloak.realm.seedUser.enabled)
 * and the web app runs; undefined otherwise (production values seed nobody).
 */
export function firstLogin(
  values: Values,
  target: {release: string; namespace: string; kubeContext: string},
  urls: ServiceUrl[],
): FirstLogin | undefined {
  const seedUser = block(values, 'keycloak', 'realm', 'seedUser')
  if (!componentEnabled(values, 'keycloak') || seedUser.enabled !== true) return undefined
  const web = urls.find((u) => u.component === 'web')
  if (!web) return undefined
  // The chart's <fullname>-<component> name of its Secret, unless existingSecret replaces it.
  const component = 'secrets'
  const secret =
    text(values.existingSecret) ||
    `${releaseFullname(target.release, values).slice(0, 62 - component.length)}-${component}`
  return {
    url: web.url,
    username: text(seedUser.username) || 'geniro',
    secret,
    key: SEED_USER_PASSWORD_KEY,
    passwordCommand: [
      'kubectl',
      '--context',
      target.kubeContext,
      '--namespace',
      target.namespace,
      'get',
      'secret',
      secret,
      '--output',
      `go-template={{index .data "${SEED_USER_PASSWORD_KEY}" | base64decode}}`,
    ],
  }
}
