// What PostgreSQL's answers mean for bridge mode: the SQLSTATEs told apart, and the errors
// and hints the Postgres adapter raises.
import {GeniroError, UserError} from '../core/errors.js'
import type {ExitCodeName} from '../core/exit-codes.js'

/** PostgreSQL answered with an error nobody can fix by a flag; carries its SQLSTATE. */
export class PostgresError extends GeniroError {
  readonly exitCodeName: ExitCodeName = 'toolFailed'
  constructor(
    message: string,
    readonly sqlState: string | undefined,
    hint?: string,
  ) {
    super(message, hint)
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), sqlState: this.sqlState ?? null}
  }
}

export const CREDENTIALS_HINT = 'pass --pg-user/--pg-password or set PGUSER/PGPASSWORD'
export const PRIVILEGES_HINT =
  'connect as a superuser or a role with CREATEROLE and CREATEDB (--pg-user/--pg-password)'

/** SQLSTATEs this adapter tells apart. */
export const SQLSTATE = {
  invalidPassword: '28P01',
  invalidAuthorization: '28000',
  unknownDatabase: '3D000',
  insufficientPrivilege: '42501',
  duplicateObject: '42710',
  duplicateDatabase: '42P04',
} as const

export const STACK_HINT =
  'start the Compose stack (`docker compose up -d`) and check the host port its postgres service publishes'

/** canLogin's "no": the server is there and said the credentials do not log in. */
export class LoginRefused extends Error {}

export function isLoginRefusal(error: unknown): boolean {
  const code = errorCode(error)
  return code === SQLSTATE.invalidPassword || code === SQLSTATE.invalidAuthorization
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as {code?: unknown}).code
  if (typeof code === 'string') return code
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  const inner = (error as {errors?: unknown[]}).errors
  return Array.isArray(inner) && inner.length > 0 ? errorCode(inner[0]) : undefined
}

export function createdMeanwhile(kind: 'role' | 'database', name: string, at: string): UserError {
  return new UserError(
    `the ${kind} ${name} appeared at ${at} while geniro-dev was about to create it`,
    'another bridge run or the Compose stack created it; run the command again to see whose it is',
  )
}

export function missingExtension(extension: string, at: string): UserError {
  const image =
    extension === 'vector'
      ? 'an image with pgvector, e.g. pgvector/pgvector:pg17'
      : 'an image that ships it'
  return new UserError(
    `the Compose PostgreSQL image at ${at} lacks the "${extension}" extension`,
    `switch the Compose postgres service to ${image}, then run this again`,
  )
}
