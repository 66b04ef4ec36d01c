import type {Postgres} from '../adapters/postgres.js'
import type {BridgeDatabasePlan, DatabasePurpose} from '../core/bridge-databases.js'
import {UserError} from '../core/errors.js'

export interface BridgeDatabaseResult {
  role: {name: string; action: 'created' | 'unchanged' | 'password-set'}
  databases: {
    name: string
    purpose: DatabasePurpose
    action: 'created' | 'unchanged'
    /** The extensions the database has now. */
    extensions: string[]
  }[]
}

/**
 * Gives the cluster its own role and databases on the Compose stack's PostgreSQL. Everything
 * that could make it refuse is checked before the first write, so a refusal changes nothing;
 * a re-run with the same password writes nothing.
 */
export async function ensureBridgeDatabases(
  pg: Postgres,
  plan: BridgeDatabasePlan,
  rolePassword: string,
): Promise<BridgeDatabaseResult> {
  await preflight(pg, plan)

  const roleAction = await pg.ensureRole(plan.role, rolePassword)
  const databases: BridgeDatabaseResult['databases'] = []
  for (const database of plan.databases) {
    const action = await pg.ensureDatabase(database.name, plan.role)
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

async function preflight(pg: Postgres, plan: BridgeDatabasePlan): Promise<void> {
  if (plan.role === pg.target.user) {
    throw new UserError(
      `the bridge role ${plan.role} is the user geniro-dev connects as; setting its password would lock the Compose stack out`,
      'choose another role name or --db-suffix',
    )
  }

  const existing = new Map(
    (await pg.databasesWithOwners()).map((database) => [database.name, database.owner]),
  )
  const foreign = plan.databases.filter((database) => {
    const owner = existing.get(database.name)
    return owner !== undefined && owner !== plan.role
  })
  if (foreign.length > 0) {
    const list = foreign
      .map((database) => `${database.name} (owned by ${existing.get(database.name)})`)
      .join(', ')
    throw new UserError(
      `the database${foreign.length > 1 ? 's' : ''} ${list} already exist${foreign.length > 1 ? '' : 's'} at ${pg.address} ` +
        `and ${foreign.length > 1 ? 'are' : 'is'} not the bridge role ${plan.role}'s; bridge mode never shares a database`,
      'choose other names with --database NAME or --db-suffix SUFFIX',
    )
  }

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
  if (me.superuser) return
  const missingDatabases = plan.databases.filter((database) => !existing.has(database.name))
  const lacking: string[] = []
  if (!me.createRole && !(await pg.roleExists(plan.role))) lacking.push('CREATEROLE')
  if (!me.createDb && missingDatabases.length > 0) lacking.push('CREATEDB')
  // Untrusted extensions (vector is one) need a superuser in a database that does not have them yet.
  if (missingDatabases.some((database) => database.extensions.length > 0)) lacking.push('SUPERUSER')
  if (lacking.length > 0) {
    throw new UserError(
      `user "${me.name}" at ${pg.address} lacks ${lacking.join(', ')}, which creating the bridge role and databases needs`,
      'connect as a superuser, e.g. the Compose stack POSTGRES_USER (--pg-user/--pg-password)',
    )
  }
}
