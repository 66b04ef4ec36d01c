/**
 * What any write to a PostgreSQL server's roles, databases, comments or extensions would
 * change, for tests that prove a refusal wrote nothing and a re-run writes nothing.
 */
import pg from 'pg'

export interface PgConnection {
  host: string
  port: number
  user: string
  password: string
}

async function withClient<T>(
  connection: PgConnection,
  database: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({...connection, database})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * Catalog rows with their xmin (any UPDATE, even to the same value, gives the row a new one):
 * databases, roles with their stored password hashes (pg_authid), comments on roles and
 * databases (pg_shdescription), and each database's extensions.
 */
export async function catalogSnapshot(connection: PgConnection): Promise<unknown> {
  const shared = await withClient(connection, 'postgres', async (client) => ({
    databases: (
      await client.query(
        `SELECT oid::text, xmin::text, datname, pg_get_userbyid(datdba) AS owner,
                shobj_description(oid, 'pg_database') AS comment
           FROM pg_database ORDER BY datname`,
      )
    ).rows as Array<{datname: string}>,
    roles: (
      await client.query(
        `SELECT oid::text, xmin::text, rolname, rolsuper, rolcanlogin, rolpassword,
                shobj_description(oid, 'pg_authid') AS comment
           FROM pg_authid ORDER BY rolname`,
      )
    ).rows,
    comments: (
      await client.query(
        `SELECT objoid::text, classoid::regclass::text, xmin::text, description
           FROM pg_shdescription ORDER BY objoid, classoid`,
      )
    ).rows,
  }))
  const extensions: Record<string, unknown> = {}
  for (const {datname} of shared.databases) {
    if (datname === 'template0') continue
    extensions[datname] = await withClient(
      connection,
      datname,
      async (client) =>
        (
          await client.query(
            'SELECT oid::text, xmin::text, extname, extversion FROM pg_extension ORDER BY extname',
          )
        ).rows,
    )
  }
  return {...shared, extensions}
}
