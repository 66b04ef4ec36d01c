import {UserError} from './errors.js'
import type {ReservedName} from './reserved-names.js'

/**
 * Bridge mode: the cluster uses the Compose stack's PostgreSQL, but always through databases
 * and a login role of its own. Sharing a database or a role with the Compose stack is data
 * corruption or a locked-out app, so every planned name is checked against every database and
 * user name the stack mentions anywhere.
 */

export type DatabasePurpose = 'api' | 'keycloak' | 'litellm'

export interface BridgeDatabase {
  purpose: DatabasePurpose
  name: string
  /** Extensions the component needs in its database, created by the admin user. */
  extensions: string[]
}

export interface BridgeDatabasePlan {
  /** The dedicated login role that owns every planned database. */
  role: string
  databases: BridgeDatabase[]
}

export const DEFAULT_DB_SUFFIX = '_k8s'

/** What each component's database is called before the suffix (the Compose stack's names). */
const BASE_NAMES: Record<DatabasePurpose, string> = {
  api: 'geniro',
  keycloak: 'keycloak',
  litellm: 'litellm',
}
const EXTENSIONS: Record<DatabasePurpose, string[]> = {api: ['vector'], keycloak: [], litellm: []}
const PURPOSES: readonly DatabasePurpose[] = ['api', 'keycloak', 'litellm']

/** An unquoted PostgreSQL identifier as it is stored: lowercase, at most 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/
const SUFFIX = /^[a-z0-9_]{1,62}$/
const IDENTIFIER_HINT =
  'use lowercase letters, digits and underscores, starting with a letter or an underscore, at most 63 characters'

export interface BridgeDatabaseInput {
  /** Renames the API database (--database). */
  database?: string
  /** Appended to geniro, keycloak and litellm (--db-suffix); default _k8s. */
  suffix?: string
  /** The login role; default geniro<suffix>, so two suffixes never share a role's password. */
  role?: string
  /** Names the Compose stack uses (reservedNames()), databases and users alike. */
  reserved: readonly (string | ReservedName)[]
}

export function planBridgeDatabases(input: BridgeDatabaseInput): BridgeDatabasePlan {
  const suffix = input.suffix ?? DEFAULT_DB_SUFFIX
  if (!SUFFIX.test(suffix)) {
    throw new UserError(
      `--db-suffix ${JSON.stringify(suffix)} is not a usable database name suffix`,
      'use lowercase letters, digits or underscores, e.g. --db-suffix _k8s',
    )
  }
  if (input.database !== undefined) requireIdentifier(input.database, '--database')
  if (input.role !== undefined) requireIdentifier(input.role, 'the role name')
  const role = input.role ?? `geniro${suffix}`

  const databases = PURPOSES.map((purpose): BridgeDatabase => ({
    purpose,
    name:
      purpose === 'api' && input.database !== undefined
        ? input.database
        : `${BASE_NAMES[purpose]}${suffix}`,
    extensions: [...EXTENSIONS[purpose]],
  }))
  // A long suffix can push a derived name past 63 characters.
  for (const database of databases) requireIdentifier(database.name, '--db-suffix')
  requireIdentifier(role, '--db-suffix')

  const apiName = databases[0]!.name
  const twin = databases.slice(1).find((database) => database.name === apiName)
  if (twin) {
    throw new UserError(
      `--database ${apiName} is also the name planned for the ${twin.purpose} database`,
      'pick another --database name',
    )
  }

  // Lowercase: a quoted name in another case is a different name, but one too close to risk.
  const reserved = new Map<string, string | undefined>()
  for (const entry of input.reserved) {
    const {name, where} = typeof entry === 'string' ? {name: entry, where: undefined} : entry
    const key = name.toLowerCase()
    if (!reserved.has(key) || reserved.get(key) === undefined) reserved.set(key, where)
  }
  const usedAt = (name: string) => {
    const where = reserved.get(name)
    return where ? `${name} (${where})` : name
  }
  const taken = databases.filter((database) => reserved.has(database.name))
  if (taken.length > 0) {
    const names = taken.map((database) => usedAt(database.name)).join(', ')
    const fixes = taken.some((database) => database.purpose === 'api')
      ? '--database NAME (the API database) or --db-suffix SUFFIX (all three)'
      : '--db-suffix SUFFIX'
    throw new UserError(
      `the Compose stack already uses the name${taken.length > 1 ? 's' : ''} ${names}; ` +
        'bridge mode never shares a database or a role with it',
      `choose other names with ${fixes}`,
    )
  }
  if (reserved.has(role)) {
    throw new UserError(
      `the role name ${usedAt(role)} is one the Compose stack uses; bridge mode logs in with a role of its own`,
      'choose another role name with --db-suffix SUFFIX',
    )
  }
  return {role, databases}
}

function requireIdentifier(name: string, source: string): void {
  if (IDENTIFIER.test(name)) return
  throw new UserError(
    `${JSON.stringify(name)} (from ${source}) is not a usable PostgreSQL name`,
    IDENTIFIER_HINT,
  )
}
