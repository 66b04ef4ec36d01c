import type {Postgres} from '../../adapters/postgres.js'
import type {BridgeDatabasePlan, DatabasePurpose} from '../../core/bridge-databases.js'
import {
  judgeOwnership,
  ownerMark,
  type BridgeOwner,
  type OwnershipVerdict,
} from '../../core/bridge-ownership.js'
import {UserError} from '../../core/errors.js'

export interface BridgeDatabaseResult {
  role: {name: string; action: 'created' | 'unchanged' | 'password-set'}
  databases: {
    name: string
    purpose: DatabasePurpose
    /** marked: our role's database from a run stopped before its comment was written. */
    action: 'created' | 'unchanged' | 'marked'
    /** The extensions the database has now. */
    extensions: string[]
  }[]
}

/**
 * Gives the cluster its own role and databases on the Compose stack's PostgreSQL, marked as
 * `owner`'s. Everything that could make it refuse (a name that is not ours, a missing
 * extension, missing privileges) is checked before the first write, so a refusal changes
 * nothing; a re-run with the same password writes nothing.
 */
export async function ensureBridgeDatabases(
  pg: Postgres,
  plan: BridgeDatabasePlan,
  owner: BridgeOwner,
  rolePassword: string,
): Promise<BridgeDatabaseResult> {
  const verdict = await preflight(pg, plan, owner)
  const mark = ownerMark(owner)

  let roleAction: BridgeDatabaseResult['role']['action'] = 'unchanged'
  if (verdict.createRole) {
    await pg.createRole(plan.role, rolePassword, mark)
    roleAction = 'created'
  } else if (!(await pg.canLogin({user: plan.role, password: rolePassword}))) {
    // Ours (the preflight proved it): the release's Secret holds a new password.
    await pg.setRolePassword(plan.role, rolePassword)
    roleAction = 'password-set'
  }

  const databases: BridgeDatabaseResult['databases'] = []
  for (const database of plan.databases) {
    let action: BridgeDatabaseResult['databases'][number]['action'] = 'unchanged'
    if (verdict.create.some((planned) => planned.name === database.name)) {
      await pg.createDatabase(database.name, plan.role, mark)
      action = 'created'
    } else if (verdict.mark.includes(database.name)) {
      await pg.commentOnDatabase(database.name, mark)
      action = 'marked'
    }
    for (const extension of database.extensions) await pg.ensureExtension(database.name, extension)
    databases.push({
      name: database.name,
      purpose: database.purpose,
      action,
      extensions: [...database.extensions],
    })
  }
  return {role: {name: plan.role, action: roleAction}, databases}
}

async function preflight(
  pg: Postgres,
  plan: BridgeDatabasePlan,
  owner: BridgeOwner,
): Promise<OwnershipVerdict> {
  const verdict = judgeOwnership(
    plan,
    owner,
    {
      admin: pg.connection.user,
      role: await pg.role(plan.role),
      databases: await pg.databasesWithOwners(),
    },
    pg.address,
  )

  const wanted = [...new Set(plan.databases.flatMap((database) => database.extensions))]
  if (wanted.length > 0) {
    const available = new Set(await pg.availableExtensions())
    const missing = wanted.filter((extension) => !available.has(extension))
    if (missing.length > 0) {
      const pgvector = missing.includes('vector') ? ', e.g. pgvector/pgvector:pg17 for vector' : ''
      throw new UserError(
        `the Compose PostgreSQL image at ${pg.address} lacks the extension${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        `switch the Compose postgres service to an image that ships ${missing.length > 1 ? 'them' : 'it'}${pgvector}, then run this again`,
      )
    }
  }

  const me = await pg.privileges()
  if (me.superuser) return verdict
  const lacking: string[] = []
  if (verdict.createRole && !me.createRole) lacking.push('CREATEROLE')
  if (verdict.create.length > 0 && !me.createDb) lacking.push('CREATEDB')
  // Creating a database owned by the role, and commenting on it, act as that role; untrusted
  // extensions (vector is one) need a superuser too. CREATEROLE alone gives no membership.
  if (verdict.create.length > 0 || verdict.mark.length > 0) lacking.push('SUPERUSER')
  if (lacking.length > 0) {
    throw new UserError(
      `user "${me.name}" at ${pg.address} lacks ${lacking.join(', ')}, which creating the bridge role and databases needs`,
      'connect as a superuser, e.g. the Compose stack POSTGRES_USER (--pg-user/--pg-password)',
    )
  }
  return verdict
}
