import {splitShellWords} from './compose-model.js'

// Every database and user name a Compose stack mentions (its environment, commands, the
// PostgreSQL service and its init scripts), which bridge mode's own names must avoid.

/** Names a Compose stack's PostgreSQL has (or its official image creates) whatever its files say. */
const STACK_DEFAULTS = ['geniro', 'keycloak', 'litellm']
const INITDB_DATABASES = ['postgres', 'template0', 'template1']

/** A name the Compose stack uses, and where it was found (for the refusal). */
export interface ReservedName {
  name: string
  where: string
}

/** What of the Compose project names databases and users. */
export interface StackNames {
  /** Every service (environment with env_file merged in, and command). */
  services: readonly {name: string; environment: Record<string, string>; command?: string[]}[]
  /** The PostgreSQL service: its image creates POSTGRES_DB (default: POSTGRES_USER). */
  postgres: {name: string; environment: Record<string, string>}
  /** The .sql/.sh files it mounts into /docker-entrypoint-initdb.d. */
  initScripts: readonly {file: string; text: string}[]
}

/**
 * Every database and user name the Compose stack may use: any service's environment (database
 * URLs of any scheme with their user, libpq key=value strings, *_DB/*_DATABASE/*_USER/…
 * variables), its command, the PostgreSQL service's own settings, and its init scripts
 * (CREATE DATABASE/ROLE/USER, createdb, createuser, psql -U/-d, \connect). Databases and users
 * share one list: the planned role must not be a stack user, and the planned databases no
 * stack database. Errs on the side of reserving too much: a false positive costs a flag, a
 * miss costs the user's data or locks their app out.
 */
export function reservedNames(stack: StackNames): ReservedName[] {
  const names = new Map<string, string>()
  const add = (name: string | undefined, where: string): void => {
    // Only names that could ever equal a planned one (an identifier, in any case) matter.
    const trimmed = name?.trim()
    if (trimmed && /^[A-Za-z_][\w$]*$/.test(trimmed) && !names.has(trimmed))
      names.set(trimmed, where)
  }
  for (const name of STACK_DEFAULTS) add(name, "a default of Geniro's Compose stack")
  for (const name of INITDB_DATABASES) add(name, 'initdb creates it')

  const env = stack.postgres.environment
  const owner = `Compose service "${stack.postgres.name}"`
  // The image's defaults: user postgres, and a database named after the user.
  add(env.POSTGRES_USER ?? 'postgres', `POSTGRES_USER of ${owner}`)
  if (env.POSTGRES_DB === undefined) add(env.POSTGRES_USER, `the default database of ${owner}`)

  for (const service of stack.services) {
    const of = `of Compose service "${service.name}"`
    for (const [key, value] of Object.entries(service.environment)) {
      const where = `${key} ${of}`
      if (NAME_KEY.test(key)) {
        // Lists such as POSTGRES_MULTIPLE_DATABASES=db1:user1,db2:user2 (never the password).
        for (const item of value.split(/[\s,;]+/)) {
          const [first, second] = item.split(':')
          add(first, where)
          add(second, where)
        }
      }
      for (const name of namesInText(value)) add(name, where)
    }
    const command = service.command?.join(' ')
    if (command) for (const name of namesInText(command)) add(name, `the command ${of}`)
  }
  for (const script of stack.initScripts) {
    const where = `init script ${script.file}`
    for (const name of sqlNames(script.text, env)) add(name, where)
    for (const name of clientCommandNames(script.text, env)) add(name, where)
  }
  return [...names].map(([name, where]) => ({name, where}))
}

/**
 * Variables that hold database or user names: POSTGRES_DB, KC_DB_URL_DATABASE, LITELLM_DB_NAME,
 * PGDATABASE, POSTGRES_MULTIPLE_DATABASES, POSTGRES_USER, KC_DB_USERNAME, DB_USER, PGUSER…
 */
const NAME_KEY =
  /(^|_)(PG)?(DB|DBNAME|DATABASE|DATABASES|USER|USERNAME|USERS|ROLE|LOGIN)(_NAMES?)?$/i

/**
 * Names in a value or a command line: the user and database of every URL (postgres://,
 * postgresql+psycopg2://, jdbc:postgresql://, any other scheme too), jdbc:postgresql:NAME, and
 * user=/dbname=/database= pairs (URL queries and libpq "host=… dbname=…" strings).
 */
function namesInText(text: string): string[] {
  const names: string[] = []
  for (const match of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\s'"<>]*)/gi)) {
    const rest = match[1]!
    const authority = /^[^/?#]*/.exec(rest)![0]
    const at = authority.lastIndexOf('@')
    if (at >= 0) names.push(decoded(authority.slice(0, at).split(':')[0]!))
    const path = /^\/([^/?#]+)/.exec(rest.slice(authority.length))
    if (path) names.push(decoded(path[1]!))
  }
  for (const match of text.matchAll(/\bjdbc:postgresql:(?!\/\/)([A-Za-z_][\w$]*)/gi))
    names.push(match[1]!)
  const pairs =
    /(?:^|[\s?&;])(?:user|username|dbname|database|databasename|db)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s&;'"#]+))/gi
  for (const match of text.matchAll(pairs)) names.push(decoded(match[1] ?? match[2] ?? match[3]!))
  return names
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * One database or role name as SQL or a shell script spells it: "quoted" (kept as written;
 * "$VAR" in a shell script is expanded), 'literal', $VAR / ${VAR:-default}, or a bare word
 * (folded to lowercase, as PostgreSQL does).
 */
const NAME = String.raw`("(?:[^"]|"")+"|'[^']+'|\$\{[^}]+\}|\$\w+|[A-Za-z_][\w$]*)`

/** Statements that name a database or a role, also inside psql -c "…" and \gexec strings. */
const SQL_NAMES = [
  String.raw`\bCREATE\s+(?:DATABASE|ROLE|USER|GROUP)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`,
  String.raw`\bALTER\s+(?:DATABASE|ROLE|USER|GROUP)\s+${NAME}`,
  String.raw`\bON\s+DATABASE\s+${NAME}`,
  // OWNER x, OWNER TO x, RENAME TO x, GRANT … TO x: too much is fine.
  String.raw`\bOWNER(?:\s*=\s*|\s+)${NAME}`,
  String.raw`\bTO\s+${NAME}`,
  String.raw`\\c(?:onnect)?[ \t]+${NAME}(?:[ \t]+${NAME})?`,
].map((source) => new RegExp(source, 'gi'))

function sqlNames(text: string, env: Record<string, string>): string[] {
  const names: string[] = []
  for (const statement of SQL_NAMES) {
    for (const match of text.matchAll(statement)) {
      for (const token of match.slice(1)) {
        const name = token === undefined ? undefined : resolveName(token, env)
        if (name !== undefined) names.push(name)
      }
    }
  }
  return names
}

function resolveName(token: string, env: Record<string, string>): string | undefined {
  if (token.startsWith('"')) {
    const inner = token.slice(1, -1)
    return inner.includes('$') ? expandShellWord(inner, env) : inner.replace(/""/g, '"')
  }
  if (token.startsWith("'")) return token.slice(1, -1)
  if (token.startsWith('$')) return expandShellWord(token, env)
  // Keywords the patterns above can catch instead of a name (TO PUBLIC, OWNER TO, …).
  if (/^(to|public|current_user|session_user|current_role|with)$/i.test(token)) return undefined
  return token.toLowerCase()
}

/** The PostgreSQL client tools an init script may run, and which of their words are names. */
const CLIENTS: Record<string, {positional: number; nameOptions: string[]; valueOptions: string[]}> =
  {
    createdb: {
      positional: 1,
      nameOptions: ['-O', '--owner', '-U', '--username', '--maintenance-db'],
      valueOptions: [
        '-D',
        '-E',
        '-h',
        '-l',
        '-p',
        '-S',
        '-T',
        '--encoding',
        '--host',
        '--icu-locale',
        '--icu-rules',
        '--lc-collate',
        '--lc-ctype',
        '--locale',
        '--locale-provider',
        '--port',
        '--strategy',
        '--tablespace',
        '--template',
      ],
    },
    createuser: {
      positional: 1,
      nameOptions: [
        '-U',
        '--username',
        '-g',
        '--member-of',
        '--role',
        '-a',
        '--with-admin',
        '-m',
        '--with-member',
      ],
      valueOptions: ['-c', '--connection-limit', '-h', '--host', '-p', '--port'],
    },
    psql: {
      positional: 2,
      nameOptions: ['-U', '--username', '-d', '--dbname'],
      valueOptions: [
        '-c',
        '--command',
        '-f',
        '--file',
        '-F',
        '--field-separator',
        '-h',
        '--host',
        '-L',
        '--log-file',
        '-o',
        '--output',
        '-p',
        '--port',
        '-P',
        '--pset',
        '-R',
        '--record-separator',
        '-T',
        '--table-attr',
        '-v',
        '--set',
        '--variable',
      ],
    },
  }

/** `createdb [options] name`, `createuser … name`, `psql -U user -d db` in shell scripts. */
function clientCommandNames(text: string, env: Record<string, string>): string[] {
  const names: string[] = []
  const joined = text.replace(/\\\r?\n/g, ' ')
  const pattern = /(?:^|[\s;&|(`])(createdb|createuser|psql)[ \t]+([^\n;&|)`]*)/g
  for (const match of joined.matchAll(pattern)) {
    const client = CLIENTS[match[1]!]!
    let positional = 0
    const words = splitShellWords(match[2]!)
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!
      const [option, inline] = word.startsWith('--') ? word.split(/=(.*)/s) : [word, undefined]
      if (word.startsWith('-')) {
        const value = inline ?? (isValueOption(client, option!) ? words[++i] : undefined)
        if (value !== undefined && client.nameOptions.includes(option!)) {
          const name = expandShellWord(value, env)
          if (name !== undefined) names.push(name)
        }
        continue
      }
      if (word.startsWith('<') || word.startsWith('>')) break // A redirection ends the names.
      if (positional++ >= client.positional) break
      const name = expandShellWord(word, env)
      if (name !== undefined) names.push(name)
    }
  }
  return names
}

function isValueOption(client: (typeof CLIENTS)[string], option: string): boolean {
  return client.nameOptions.includes(option) || client.valueOptions.includes(option)
}

/** $VAR / ${VAR} / ${VAR:-default} from the PostgreSQL service's environment; else unresolved. */
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
