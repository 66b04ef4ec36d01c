import {UserError} from './errors.js'

/**
 * Bridge mode: the cluster uses the Compose stack's PostgreSQL, but always through databases
 * and a login role of its own. Sharing a database with the Compose stack is data corruption,
 * so every planned name is checked against the names the stack uses.
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

/** Names a Compose stack's PostgreSQL has (or its official image creates) whatever its files say. */
const ALWAYS_RESERVED = ['geniro', 'keycloak', 'litellm', 'postgres', 'template0', 'template1']

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
  /** Names the Compose stack uses: reservedDatabaseNames(). */
  reserved: readonly string[]
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

  const reserved = new Set(input.reserved.map((name) => name.toLowerCase()))
  const taken = databases.filter((database) => reserved.has(database.name))
  if (taken.length > 0) {
    const names = taken.map((database) => database.name).join(', ')
    const fixes = taken.some((database) => database.purpose === 'api')
      ? '--database NAME (the API database) or --db-suffix SUFFIX (all three)'
      : '--db-suffix SUFFIX'
    throw new UserError(
      `the Compose stack already uses the database name${taken.length > 1 ? 's' : ''} ${names}; ` +
        'bridge mode never shares a database with it',
      `choose other names with ${fixes}`,
    )
  }
  if (reserved.has(role)) {
    throw new UserError(
      `the role name ${role} is one the Compose stack uses; bridge mode logs in with a role of its own`,
      'choose another role name or --db-suffix',
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

/**
 * Every database name the Compose stack's PostgreSQL may hold, from the service's environment
 * and the texts of its /docker-entrypoint-initdb.d scripts (.sql and .sh). Errs on the side of
 * reserving too much: a false positive costs a flag, a miss costs the user's data.
 */
export function reservedDatabaseNames(
  service: {environment: Record<string, string>},
  initScripts: readonly string[],
): string[] {
  const names = new Set<string>(ALWAYS_RESERVED)
  const add = (name: string | undefined): void => {
    // Only names that could ever equal a planned one (letters, digits, _) matter.
    const trimmed = name?.trim()
    if (trimmed && /^[\w-]+$/.test(trimmed)) names.add(trimmed)
  }
  const env = service.environment

  for (const [key, value] of Object.entries(env)) {
    if (/^(POSTGRES_USER|PGUSER)$/i.test(key)) add(value) // the image's default database
    if (DATABASE_KEY.test(key)) for (const item of value.split(/[\s,;]+/)) add(item.split(':')[0])
    add(databaseInUrl(value))
  }
  for (const script of initScripts) {
    for (const name of createDatabaseStatements(script)) add(name)
    for (const name of createdbCommands(script, env)) add(name)
  }
  return [...names]
}

/** POSTGRES_DB, KC_DB_URL_DATABASE, LITELLM_DB_NAME, PGDATABASE, POSTGRES_MULTIPLE_DATABASES… */
const DATABASE_KEY = /(^|_)(PG)?(DB|DBNAME|DATABASE|DATABASES)(_NAMES?)?$/i

/** The database of a postgres:// or jdbc:postgresql:// URL, if the value is one. */
function databaseInUrl(value: string): string | undefined {
  const match = /^(?:jdbc:)?postgres(?:ql)?:\/\/[^/?#\s]*\/([^/?#\s]+)/i.exec(value.trim())
  if (!match) return undefined
  try {
    return decodeURIComponent(match[1]!)
  } catch {
    return match[1]
  }
}

/** `CREATE DATABASE x` anywhere (also inside psql -c "…" or a \gexec string), quoted or not. */
function createDatabaseStatements(text: string): string[] {
  const names: string[] = []
  const statement =
    /\bCREATE\s+DATABASE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))/gi
  for (const match of text.matchAll(statement)) {
    // Quoted names keep their case; unquoted ones are folded to lowercase, as PostgreSQL does.
    names.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase())
  }
  return names
}

/** createdb's options that take a separate value (`-O owner`), so the value is not the name. */
const CREATEDB_VALUE_OPTIONS = new Set([
  '-D',
  '-E',
  '-h',
  '-l',
  '-O',
  '-p',
  '-S',
  '-T',
  '-U',
  '--encoding',
  '--host',
  '--icu-locale',
  '--icu-rules',
  '--lc-collate',
  '--lc-ctype',
  '--locale',
  '--locale-provider',
  '--maintenance-db',
  '--owner',
  '--port',
  '--strategy',
  '--tablespace',
  '--template',
  '--username',
])

/** `createdb [options] name` in shell scripts; $VAR / ${VAR} resolve from the environment. */
function createdbCommands(text: string, env: Record<string, string>): string[] {
  const names: string[] = []
  for (const match of text.matchAll(/(?:^|[\s;&|(`])createdb\s+([^\n;&|)`]*)/g)) {
    const words = match[1]!.trim().split(/\s+/)
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!
      if (word === '\\') continue
      if (word.startsWith('-')) {
        if (CREATEDB_VALUE_OPTIONS.has(word)) i++
        continue
      }
      const name = expandShellWord(word, env)
      if (name !== undefined) names.push(name)
      break
    }
  }
  return names
}

function expandShellWord(word: string, env: Record<string, string>): string | undefined {
  let unresolved = false
  const expanded = word
    .replace(/^(["'])(.*)\1$/, '$2')
    .replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_, braced, fallback, bare) => {
      const value = env[braced ?? bare] ?? fallback
      if (value === undefined) unresolved = true
      return value ?? ''
    })
  return unresolved || expanded === '' ? undefined : expanded
}
