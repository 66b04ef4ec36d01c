import {Socket} from 'node:net'
import type {Client, ClientConfig} from 'pg'
import {
  GeniroError,
  InterruptedError,
  TimeoutError,
  UserError,
  formatDuration,
} from '../core/errors.js'
import {
  CREDENTIALS_HINT,
  LoginRefused,
  PRIVILEGES_HINT,
  PostgresError,
  SQLSTATE,
  STACK_HINT,
  createdMeanwhile,
  errorCode,
  isLoginRefusal,
  missingExtension,
} from './postgres-errors.js'
import {passwordLiteral} from './scram.js'

export interface PgConnection {
  host: string
  port: number
  user: string
  password: string
  /** The admin connection's database; default `postgres`, which initdb always creates. */
  database?: string
}

export interface PostgresOptions {
  /** How long a connection attempt may take (default 5 s). */
  connectTimeoutMs?: number
  /** How long one statement may take (default 60 s; CREATE DATABASE copies a template). */
  queryTimeoutMs?: number
  /** Ctrl-C: ends every connection at once, so a running statement stops (InterruptedError). */
  signal?: AbortSignal
}

export interface DatabaseInfo {
  name: string
  owner: string
  /** COMMENT ON DATABASE; null when none. */
  comment: string | null
}

export interface RolePrivileges {
  name: string
  superuser: boolean
  createRole: boolean
  createDb: boolean
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
const DEFAULT_QUERY_TIMEOUT_MS = 60_000
/** The Compose stack's PostgreSQL, reached as its admin user; `pg` loads on first use. */
export class Postgres {
  private admin?: Promise<Client>
  private readonly connectTimeoutMs: number
  private readonly queryTimeoutMs: number
  private readonly signal?: AbortSignal

  constructor(
    readonly connection: PgConnection,
    options: PostgresOptions = {},
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
    this.signal = options.signal
  }

  /** host:port as messages show it. */
  get address(): string {
    const host = this.connection.host.includes(':')
      ? `[${this.connection.host}]`
      : this.connection.host
    return `${host}:${this.connection.port}`
  }

  async databases(): Promise<string[]> {
    return (await this.databasesWithOwners()).map((database) => database.name)
  }

  async databasesWithOwners(): Promise<DatabaseInfo[]> {
    return this.query<DatabaseInfo>(
      `SELECT datname AS name, pg_get_userbyid(datdba) AS owner,
              shobj_description(oid, 'pg_database') AS comment
         FROM pg_database ORDER BY datname`,
      [],
      'list databases',
    )
  }

  async roleExists(name: string): Promise<boolean> {
    return (await this.role(name)) !== undefined
  }

  /** A role and its COMMENT ON ROLE (null when none); undefined when there is no such role. */
  async role(name: string): Promise<{comment: string | null} | undefined> {
    const [row] = await this.query<{comment: string | null}>(
      `SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`,
      [name],
      'read roles',
    )
    return row
  }

  /** What the admin user may do, to refuse before changing anything. */
  async privileges(): Promise<RolePrivileges> {
    const [row] = await this.query<RolePrivileges>(
      `SELECT rolname AS name, rolsuper AS superuser, rolcreaterole AS "createRole",
              rolcreatedb AS "createDb"
         FROM pg_roles WHERE rolname = current_user`,
      [],
      'read its own role',
    )
    if (!row) throw new PostgresError(`the current user is not in pg_roles`, undefined)
    return row
  }

  /** Extensions the server's image ships (CREATE EXTENSION can load them). */
  async availableExtensions(): Promise<string[]> {
    const rows = await this.query<{name: string}>(
      'SELECT name FROM pg_available_extensions ORDER BY name',
      [],
      'list available extensions',
    )
    return rows.map((row) => row.name)
  }

  /**
   * Whether `as` can log in with that password. Only authentication failures mean "no";
   * an unreachable server is still an error.
   */
  async canLogin(as: {user: string; password: string}): Promise<boolean> {
    let client: Client
    try {
      client = await this.connect({user: as.user, password: as.password})
    } catch (error) {
      if (error instanceof LoginRefused) return false
      throw error
    }
    await client.end().catch(() => {})
    return true
  }

  /**
   * A new LOGIN role with that password and comment, in one transaction: a role without its
   * comment never exists. One created meanwhile by someone else is refused, not adopted.
   */
  async createRole(name: string, password: string, comment: string): Promise<void> {
    const pg = await loadPg()
    const role = pg.escapeIdentifier(name)
    const secret = passwordLiteral(password, pg.escapeLiteral)
    try {
      // One simple-protocol query with two statements runs as one implicit transaction.
      await this.query(
        `CREATE ROLE ${role} WITH LOGIN PASSWORD ${secret}; COMMENT ON ROLE ${role} IS ${pg.escapeLiteral(comment)}`,
        [],
        `create role ${name}`,
      )
    } catch (error) {
      if (error instanceof PostgresError && error.sqlState === SQLSTATE.duplicateObject)
        throw createdMeanwhile('role', name, this.address)
      throw error
    }
  }

  /** Sets the password (and LOGIN) of a role the caller proved is its own. */
  async setRolePassword(name: string, password: string): Promise<void> {
    const pg = await loadPg()
    await this.query(
      `ALTER ROLE ${pg.escapeIdentifier(name)} WITH LOGIN PASSWORD ${passwordLiteral(password, pg.escapeLiteral)}`,
      [],
      `set the password of role ${name}`,
    )
  }

  /**
   * A new database owned by `owner`, then its comment (CREATE DATABASE cannot run inside a
   * transaction; the caller treats its own role's unmarked database as an interrupted run).
   * One created meanwhile by someone else is refused, not adopted.
   */
  async createDatabase(name: string, owner: string, comment: string): Promise<void> {
    const pg = await loadPg()
    try {
      await this.query(
        `CREATE DATABASE ${pg.escapeIdentifier(name)} OWNER ${pg.escapeIdentifier(owner)}`,
        [],
        `create database ${name}`,
      )
    } catch (error) {
      if (error instanceof PostgresError && error.sqlState === SQLSTATE.duplicateDatabase)
        throw createdMeanwhile('database', name, this.address)
      throw error
    }
    await this.commentOnDatabase(name, comment)
  }

  async commentOnDatabase(name: string, comment: string): Promise<void> {
    const pg = await loadPg()
    await this.query(
      `COMMENT ON DATABASE ${pg.escapeIdentifier(name)} IS ${pg.escapeLiteral(comment)}`,
      [],
      `mark database ${name}`,
    )
  }

  /** An extension inside `database`, created as the admin user (most need a superuser). */
  async ensureExtension(database: string, extension: string): Promise<'created' | 'unchanged'> {
    const pg = await loadPg()
    const client = await this.connect({database})
    try {
      const run = (sql: string, params: unknown[], doing: string) =>
        this.run<{installed: boolean}>(client, sql, params, doing)
      const [row] = await run(
        `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1) AS installed`,
        [extension],
        `read extensions in ${database}`,
      )
      if (row?.installed) return 'unchanged'
      const available = await run(
        'SELECT 1 FROM pg_available_extensions WHERE name = $1',
        [extension],
        'list available extensions',
      )
      if (available.length === 0) throw missingExtension(extension, this.address)
      await run(
        `CREATE EXTENSION IF NOT EXISTS ${pg.escapeIdentifier(extension)}`,
        [],
        `create extension ${extension} in ${database}`,
      )
      return 'created'
    } finally {
      await client.end().catch(() => {})
    }
  }

  async close(): Promise<void> {
    const admin = this.admin
    this.admin = undefined
    if (!admin) return
    const client = await admin.catch(() => undefined)
    await client?.end().catch(() => {})
  }

  private async query<Row = Record<string, unknown>>(
    sql: string,
    params: unknown[],
    doing: string,
  ): Promise<Row[]> {
    if (!this.admin) {
      this.admin = this.connect({})
      // A failed connection is not cached: the next call tries again.
      this.admin.catch(() => (this.admin = undefined))
    }
    return this.run<Row>(await this.admin, sql, params, doing)
  }

  private async run<Row>(
    client: Client,
    sql: string,
    params: unknown[],
    doing: string,
  ): Promise<Row[]> {
    try {
      const result = await client.query(sql, params)
      return result.rows as Row[]
    } catch (error) {
      throw this.failure(error, this.connection.user, doing)
    }
  }

  /** A connected client; the admin's unless `as` says otherwise. */
  private async connect(as: {
    user?: string
    password?: string
    database?: string
  }): Promise<Client> {
    const pg = await loadPg()
    const user = as.user ?? this.connection.user
    const config: ClientConfig = {
      host: this.connection.host,
      port: this.connection.port,
      user,
      password: as.password ?? this.connection.password,
      database: as.database ?? this.connection.database ?? 'postgres',
      connectionTimeoutMillis: this.connectTimeoutMs,
      query_timeout: this.queryTimeoutMs,
      application_name: 'geniro-dev',
    }
    if (this.signal?.aborted) {
      throw new InterruptedError(`interrupted before connecting to ${this.address}`)
    }
    // Our own socket, so Ctrl-C can cut it: a pending connect or statement then rejects at once
    // (pg's end() waits for the server, which may be the very thing that hangs).
    const socket = new Socket()
    const stop = () => socket.destroy()
    this.signal?.addEventListener('abort', stop, {once: true})
    socket.once('close', () => this.signal?.removeEventListener('abort', stop))
    const client = new pg.Client({...config, stream: () => socket})
    // A server that drops an idle connection emits 'error'; the next query reports it.
    client.on('error', () => {})
    const started = Date.now()
    try {
      await client.connect()
      return client
    } catch (error) {
      await client.end().catch(() => {})
      const elapsed = Date.now() - started
      if (as.user !== undefined && isLoginRefusal(error)) throw new LoginRefused()
      throw this.failure(error, user, 'connect', elapsed >= this.connectTimeoutMs)
    }
  }

  /** Maps what pg or the socket threw to the error a user reads; anything unknown is a bug. */
  private failure(error: unknown, user: string, doing: string, timedOut = false): Error {
    if (error instanceof GeniroError) return error
    if (this.signal?.aborted)
      return new InterruptedError(`interrupted while it tried to ${doing} at ${this.address}`)
    const code = errorCode(error)
    const message = error instanceof Error ? error.message : String(error)
    const at = this.address
    if (code === SQLSTATE.invalidPassword) {
      return new UserError(
        `password authentication failed for user "${user}" at ${at}`,
        CREDENTIALS_HINT,
      )
    }
    if (code === SQLSTATE.invalidAuthorization) {
      return new UserError(
        `PostgreSQL at ${at} refused user "${user}": ${message}`,
        CREDENTIALS_HINT,
      )
    }
    if (code === SQLSTATE.unknownDatabase) {
      return new UserError(`PostgreSQL at ${at}: ${message}`, 'check the database to connect to')
    }
    if (code === SQLSTATE.insufficientPrivilege) {
      return new UserError(`user "${user}" may not ${doing} at ${at}: ${message}`, PRIVILEGES_HINT)
    }
    if (code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL') {
      return new UserError(`nothing listens on ${at} (connection refused)`, STACK_HINT)
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new UserError(`cannot resolve the PostgreSQL host ${this.connection.host}`, STACK_HINT)
    }
    if (timedOut || /timeout expired|connection timeout/i.test(message) || code === 'ETIMEDOUT') {
      return new UserError(
        `no PostgreSQL answered at ${at} within ${formatDuration(this.connectTimeoutMs)}`,
        STACK_HINT,
      )
    }
    if (
      /Connection terminated/i.test(message) ||
      code === 'ECONNRESET' ||
      code === 'EHOSTUNREACH'
    ) {
      return new UserError(
        `the connection to ${at} was closed before PostgreSQL answered (is it still starting?)`,
        STACK_HINT,
      )
    }
    if (/Query read timeout/i.test(message)) {
      return new TimeoutError(`${doing} at ${at}`, this.queryTimeoutMs)
    }
    if (code && /^[0-9A-Z]{5}$/.test(code)) {
      return new PostgresError(`PostgreSQL at ${at} could not ${doing}: ${message}`, code)
    }
    return error instanceof Error ? error : new Error(message)
  }
}

type PgModule = (typeof import('pg'))['default']
let pgModule: Promise<PgModule> | undefined

/** `pg` costs a few milliseconds to load: only commands that talk to PostgreSQL pay. */
function loadPg(): Promise<PgModule> {
  pgModule ??= import('pg').then((module) => module.default)
  return pgModule
}
