/**
 * The Postgres adapter and ensureBridgeDatabases against a real PostgreSQL in the private
 * engine: PostgreSQL 17 + pgvector as a Compose stack would run it (POSTGRES_DB=geniro and an
 * init script creating keycloak and litellm), and PostgreSQL 15 without pgvector.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {Postgres, type PgConnection} from '../../src/adapters/postgres.js'
import {planBridgeDatabases} from '../../src/core/bridge-databases.js'
import {reservedNames} from '../../src/core/reserved-names.js'
import {ownerMark, type BridgeOwner} from '../../src/core/bridge-ownership.js'
import {InterruptedError, UserError} from '../../src/core/errors.js'
import {ensureBridgeDatabases} from '../../src/services/bridge/databases.js'
import {catalogSnapshot} from '../support/pg-catalog.js'
import {ensurePostgresImage, type PostgresFlavour} from '../support/postgres-image.js'
import {dockerCli} from '../support/toolchain.js'

const dockerHost = inject('dockerHost')
const ADMIN = {user: 'geniro', password: 'compose-secret'}
const ENVIRONMENT = {
  POSTGRES_USER: ADMIN.user,
  POSTGRES_PASSWORD: ADMIN.password,
  POSTGRES_DB: 'geniro',
}
const INIT_SQL = 'CREATE DATABASE keycloak;\nCREATE DATABASE litellm;\n'
const ROLE_PASSWORD = 'k8s-role-secret'
/** The owner the README's cleanup example names. */
const OWNER: BridgeOwner = {context: 'kind-geniro-dev', namespace: 'geniro', release: 'geniro'}

const containers: string[] = []
const scratch = mkdtempSync(path.join(tmpdir(), 'gdev-pg-test-'))

function docker(args: string[]): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: dockerHost},
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()
}

/** A container like the Compose stack's postgres service, published on an ephemeral 127.0.0.1 port. */
async function startPostgres(flavour: PostgresFlavour): Promise<PgConnection> {
  const image = await ensurePostgresImage(dockerHost, flavour)
  const initDir = path.join(scratch, `init-${flavour}`)
  execFileSync('mkdir', ['-p', initDir])
  writeFileSync(path.join(initDir, '01-databases.sql'), INIT_SQL)
  // mkdtemp makes 0700 directories; the server reads the scripts as uid 999.
  chmodSync(scratch, 0o755)
  chmodSync(initDir, 0o755)
  const name = `gdev-pg-test-${flavour}-${randomBytes(4).toString('hex')}`
  const env = Object.entries(ENVIRONMENT).flatMap(([key, value]) => ['-e', `${key}=${value}`])
  const id = docker([
    'run',
    '-d',
    '--name',
    name,
    ...env,
    '-v',
    `${initDir}:/docker-entrypoint-initdb.d:ro`,
    '-p',
    '127.0.0.1::5432',
    image,
  ])
  containers.push(id)
  const published = docker(['port', id, '5432/tcp']).split('\n')[0] ?? ''
  const port = Number(published.slice(published.lastIndexOf(':') + 1))
  const target = {host: '127.0.0.1', port, ...ADMIN}
  await waitUntilReady(target, id)
  return target
}

async function waitUntilReady(target: PgConnection, id: string): Promise<void> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const probe = new Postgres(target, {connectTimeoutMs: 2_000})
    try {
      await probe.databases()
      return
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `PostgreSQL in ${id} never answered: ${String(error)}\n${docker(['logs', id])}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    } finally {
      await probe.close()
    }
  }
}

/** A plain pg client as the admin, for the test's own look at the catalogs. */
async function withAdmin<T>(
  target: PgConnection,
  database: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({...target, database})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function databaseNames(target: PgConnection): Promise<string[]> {
  return withAdmin(target, 'postgres', async (client) =>
    (await client.query('SELECT datname FROM pg_database ORDER BY datname')).rows.map(
      (row: {datname: string}) => row.datname,
    ),
  )
}

/** Every role and database with a geniro-dev mark: "role x" / "database y" → its comment. */
async function marks(target: PgConnection): Promise<Record<string, string>> {
  const rows = await withAdmin(
    target,
    'postgres',
    async (client) =>
      (
        await client.query(
          `SELECT 'database ' || datname AS object, shobj_description(oid, 'pg_database') AS mark
           FROM pg_database WHERE shobj_description(oid, 'pg_database') LIKE 'geniro-dev%'
         UNION ALL
         SELECT 'role ' || rolname, shobj_description(oid, 'pg_authid')
           FROM pg_roles WHERE shobj_description(oid, 'pg_authid') LIKE 'geniro-dev%'
         ORDER BY 1`,
        )
      ).rows as Array<{object: string; mark: string}>,
  )
  return Object.fromEntries(rows.map((row) => [row.object, row.mark]))
}

async function rejection(
  promise: Promise<unknown>,
  kind: typeof UserError | typeof InterruptedError = UserError,
): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(kind)
  return error as UserError
}

/** The plan the bridge command would make from the Compose service above. */
function composePlan(options: {database?: string; suffix?: string} = {}) {
  const postgres = {name: 'postgres', environment: ENVIRONMENT}
  const reserved = reservedNames({
    services: [postgres],
    postgres,
    initScripts: [{file: 'init/01-databases.sql', text: INIT_SQL}],
  })
  return planBridgeDatabases({...options, reserved})
}

afterAll(() => {
  if (containers.length > 0) docker(['rm', '-f', '-v', ...containers])
  rmSync(scratch, {recursive: true, force: true})
})

describe('bridge databases on a Compose PostgreSQL 17 with pgvector', () => {
  let target: PgConnection
  let postgres: Postgres

  beforeAll(async () => {
    target = await startPostgres('pg17-pgvector')
    postgres = new Postgres(target)
  })

  afterAll(async () => {
    await postgres?.close()
  })

  it('creates geniro_k8s, keycloak_k8s and litellm_k8s owned by a new login role, with vector in geniro_k8s', async () => {
    const before = await databaseNames(target)
    expect(before).toEqual(['geniro', 'keycloak', 'litellm', 'postgres', 'template0', 'template1'])

    const result = await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)

    expect(result).toEqual({
      role: {name: 'geniro_k8s', action: 'created'},
      databases: [
        {name: 'geniro_k8s', purpose: 'api', action: 'created', extensions: ['vector']},
        {name: 'keycloak_k8s', purpose: 'keycloak', action: 'created', extensions: []},
        {name: 'litellm_k8s', purpose: 'litellm', action: 'created', extensions: []},
      ],
    })
    const owners = await withAdmin(target, 'postgres', async (client) =>
      (
        await client.query(
          `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database
            WHERE datname LIKE '%\\_k8s' ORDER BY datname`,
        )
      ).rows.map((row: {datname: string; owner: string}) => `${row.datname}:${row.owner}`),
    )
    expect(owners).toEqual([
      'geniro_k8s:geniro_k8s',
      'keycloak_k8s:geniro_k8s',
      'litellm_k8s:geniro_k8s',
    ])
    // Each carries the owner's mark, exactly.
    expect(await marks(target)).toEqual({
      'database geniro_k8s': ownerMark(OWNER),
      'database keycloak_k8s': ownerMark(OWNER),
      'database litellm_k8s': ownerMark(OWNER),
      'role geniro_k8s': ownerMark(OWNER),
    })

    // The cluster logs in as the role, not as the Compose admin, and can use vector.
    const role = {...target, user: 'geniro_k8s', password: ROLE_PASSWORD}
    const distance = await withAdmin(role, 'geniro_k8s', async (client) => {
      const me = await client.query(
        'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
      )
      expect(me.rows[0]).toEqual({rolsuper: false, rolcreatedb: false, rolcreaterole: false})
      await client.query('CREATE TABLE items (id int, embedding vector(3))')
      await client.query("INSERT INTO items VALUES (1, '[1,2,3]')")
      return (await client.query("SELECT embedding <-> '[1,2,4]' AS d FROM items")).rows[0]
    })
    expect(distance).toEqual({d: 1})
  })

  it('stops a statement blocked on a lock at once on Ctrl-C', async () => {
    // Another session holds pg_database exclusively: logging in and listing databases wait for it.
    const holder = new pg.Client({...target, database: 'postgres'})
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE pg_database IN ACCESS EXCLUSIVE MODE')
      const abort = new AbortController()
      const blocked = new Postgres(target, {signal: abort.signal})
      const started = Date.now()
      setTimeout(() => abort.abort('SIGINT'), 300)
      const error = await rejection(blocked.databases(), InterruptedError)
      expect(Date.now() - started).toBeLessThan(3_000)
      // The lock blocks the login itself (it reads pg_database) or the listing after it.
      expect(error.message).toMatch(/^interrupted while it tried to (connect|list databases) at /)
      await blocked.close()
    } finally {
      await holder.query('ROLLBACK').catch(() => {})
      await holder.end()
    }
  })

  it('reports everything unchanged on a re-run and writes nothing', async () => {
    const before = await catalogSnapshot(target)
    const result = await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)
    expect(result.role.action).toBe('unchanged')
    expect(result.databases.map((database) => database.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ])
    expect(await catalogSnapshot(target)).toEqual(before)
  })

  it('sets the role password again when it no longer logs in (the Secret was recreated)', async () => {
    const run = async (password: string) =>
      (await ensureBridgeDatabases(postgres, composePlan(), OWNER, password)).role.action
    expect(await run('a-new-secret')).toBe('password-set')
    expect(await postgres.canLogin({user: 'geniro_k8s', password: 'a-new-secret'})).toBe(true)
    expect(await postgres.canLogin({user: 'geniro_k8s', password: ROLE_PASSWORD})).toBe(false)
    expect(await run(ROLE_PASSWORD)).toBe('password-set')
    expect(await run(ROLE_PASSWORD)).toBe('unchanged')
  })

  it.each([
    ['quotes and backslashes', `it's a "tricky" \\ pass'; DROP ROLE geniro; --`],
    ['non-ASCII characters', 'pässwörd ✓'],
  ])('stores a password with %s exactly', async (_, password) => {
    const name = `quoting_${randomBytes(3).toString('hex')}`
    await postgres.createRole(name, password, ownerMark(OWNER))
    expect(await postgres.canLogin({user: name, password})).toBe(true)
    await postgres.setRolePassword(name, `${password}2`)
    expect(await postgres.canLogin({user: name, password: `${password}2`})).toBe(true)
    expect(await postgres.role(name)).toEqual({comment: ownerMark(OWNER)})
    expect(await postgres.roleExists('geniro')).toBe(true)
  })

  it('refuses a database of the planned name owned by another role, and changes nothing', async () => {
    await withAdmin(target, 'postgres', (client) => client.query('CREATE DATABASE keycloak_dev2'))
    const before = await catalogSnapshot(target)

    const error = await rejection(
      ensureBridgeDatabases(postgres, composePlan({suffix: '_dev2'}), OWNER, ROLE_PASSWORD),
    )

    expect(error.message).toContain(
      'database keycloak_dev2 (no geniro-dev mark; owned by role geniro)',
    )
    expect(error.hint).toBe('choose other names with --db-suffix SUFFIX')
    expect(await catalogSnapshot(target)).toEqual(before)
    expect(await postgres.roleExists('geniro_dev2')).toBe(false)
  })

  it("refuses --database naming the Compose stack's own database before connecting", async () => {
    const before = await databaseNames(target)
    const error = await rejection(Promise.resolve().then(() => composePlan({database: 'keycloak'})))
    expect(error.message).toContain('keycloak')
    expect(await databaseNames(target)).toEqual(before)
  })

  it('refuses an admin user without the privileges it needs, before changing anything', async () => {
    await withAdmin(target, 'postgres', (client) =>
      client.query("CREATE ROLE plain_user LOGIN PASSWORD 'plain-secret'"),
    )
    const before = await catalogSnapshot(target)
    const weak = new Postgres({...target, user: 'plain_user', password: 'plain-secret'})
    try {
      const error = await rejection(
        ensureBridgeDatabases(weak, composePlan({suffix: '_weak'}), OWNER, ROLE_PASSWORD),
      )
      expect(error.message).toMatch(/lacks CREATEROLE, CREATEDB, SUPERUSER/)
      expect(error.hint).toContain('superuser')
    } finally {
      await weak.close()
    }
    expect(await catalogSnapshot(target)).toEqual(before)
  })

  it('turns a missing privilege at run time into a UserError', async () => {
    const weak = new Postgres({...target, user: 'plain_user', password: 'plain-secret'})
    try {
      const error = await rejection(weak.createDatabase('plain_db', 'plain_user', 'x'))
      expect(error.message).toMatch(
        /user "plain_user" may not create database plain_db at 127\.0\.0\.1:\d+/,
      )
    } finally {
      await weak.close()
    }
  })

  it('refuses to use the admin user itself as the bridge role', async () => {
    const plan = {...composePlan({suffix: '_self'}), role: ADMIN.user}
    const error = await rejection(ensureBridgeDatabases(postgres, plan, OWNER, ROLE_PASSWORD))
    expect(error.message).toContain('lock the Compose stack out')
  })

  it('says the image lacks an extension the server does not have', async () => {
    const error = await rejection(postgres.ensureExtension('geniro_k8s', 'no_such_extension'))
    expect(error.message).toMatch(
      /Compose PostgreSQL image at 127\.0\.0\.1:\d+ lacks the "no_such_extension"/,
    )
  })

  it('reports a wrong password as a UserError naming the user and address', async () => {
    const wrong = new Postgres({...target, password: 'not-the-password'})
    try {
      const error = await rejection(wrong.databases())
      expect(error.message).toBe(
        `password authentication failed for user "geniro" at 127.0.0.1:${target.port}`,
      )
      expect(error.hint).toContain('--pg-user/--pg-password')
      expect(error.hint).toContain('PGUSER/PGPASSWORD')
    } finally {
      await wrong.close()
    }
  })
})

describe('ownership: bridge mode never takes over what it did not create for this release', () => {
  const TEAM_B: BridgeOwner = {...OWNER, namespace: 'team-b'}
  const OTHER_CLUSTER: BridgeOwner = {...OWNER, context: 'minikube'}
  let target: PgConnection
  let container: string
  let postgres: Postgres

  beforeAll(async () => {
    target = await startPostgres('pg17-pgvector')
    container = containers.at(-1)!
    postgres = new Postgres(target)
    // The first bridge, for OWNER, with the default names.
    await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)
  })

  afterAll(async () => {
    await postgres?.close()
  })

  const sql = (text: string) => withAdmin(target, 'postgres', (client) => client.query(text))

  /** Runs `work`, which must be refused with a UserError, and proves nothing was written. */
  async function refusedWithNothingWritten(work: () => Promise<unknown>): Promise<UserError> {
    const before = await catalogSnapshot(target)
    const error = await rejection(work())
    expect(await catalogSnapshot(target)).toEqual(before)
    return error
  }

  it('re-runs for the same owner write nothing at all', async () => {
    const before = await catalogSnapshot(target)
    const result = await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)
    expect(result.role.action).toBe('unchanged')
    expect(result.databases.map((database) => database.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ])
    expect(await catalogSnapshot(target)).toEqual(before)
  })

  it("refuses --db-suffix _dev when a role geniro_dev owns the app's database; the app still logs in", async () => {
    await sql("CREATE ROLE geniro_dev LOGIN PASSWORD 'app-secret'")
    await sql('CREATE DATABASE app OWNER geniro_dev')
    const error = await refusedWithNothingWritten(() =>
      ensureBridgeDatabases(postgres, composePlan({suffix: '_dev'}), OWNER, ROLE_PASSWORD),
    )
    expect(error.message).toMatch(
      /^role geniro_dev \(no geniro-dev mark; owns database app\) at 127\.0\.0\.1:\d+ is not geniro-dev's for release "geniro" in namespace "geniro" of kube context "kind-geniro-dev"/,
    )
    expect(error.hint).toBe('choose other names with --db-suffix SUFFIX')
    expect(await postgres.canLogin({user: 'geniro_dev', password: 'app-secret'})).toBe(true)
  })

  it("refuses --database app, the stack's own database no list reserves", async () => {
    const error = await refusedWithNothingWritten(() =>
      ensureBridgeDatabases(postgres, composePlan({database: 'app'}), OWNER, ROLE_PASSWORD),
    )
    expect(error.message).toMatch(/^database app \(no geniro-dev mark; owned by role geniro_dev\)/)
    expect(error.hint).toContain('--database NAME')
  })

  it.each([
    ['another namespace', TEAM_B],
    ['another cluster', OTHER_CLUSTER],
  ])(
    'refuses a second bridge from %s on the same names, naming the first owner',
    async (_, second) => {
      const error = await refusedWithNothingWritten(() =>
        ensureBridgeDatabases(postgres, composePlan(), second, 'the-second-password'),
      )
      expect(error.message).toContain(
        'role geniro_k8s (created by geniro-dev for release "geniro" in namespace "geniro" of kube context "kind-geniro-dev"',
      )
      expect(error.hint).toMatch(/^another bridge uses these names: .*--db-suffix/)
      // The first release still logs in with its password.
      expect(await postgres.canLogin({user: 'geniro_k8s', password: ROLE_PASSWORD})).toBe(true)
    },
  )

  it('lets the second bridge run beside the first with --db-suffix, each re-run writing nothing', async () => {
    const plan = composePlan({suffix: '_team_b'})
    const first = await ensureBridgeDatabases(postgres, plan, TEAM_B, 'team-b-password')
    expect(first.role.action).toBe('created')
    const before = await catalogSnapshot(target)
    await ensureBridgeDatabases(postgres, plan, TEAM_B, 'team-b-password')
    await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)
    expect(await catalogSnapshot(target)).toEqual(before)
  })

  it('refuses a database whose comment is someone else’s', async () => {
    await sql('CREATE DATABASE keycloak_billing')
    await sql("COMMENT ON DATABASE keycloak_billing IS 'billing'")
    const error = await refusedWithNothingWritten(() =>
      ensureBridgeDatabases(postgres, composePlan({suffix: '_billing'}), OWNER, ROLE_PASSWORD),
    )
    expect(error.message).toContain(
      'database keycloak_billing (its comment "billing" is no geniro-dev mark; owned by role geniro)',
    )
  })

  it('refuses what an older geniro-dev left unmarked, and adopts it with the SQL of its hint', async () => {
    // As an older geniro-dev left them: the role and its databases, no comments.
    await sql("CREATE ROLE geniro_old LOGIN PASSWORD 'old-password'")
    for (const name of ['geniro_old', 'keycloak_old', 'litellm_old'])
      await sql(`CREATE DATABASE ${name} OWNER geniro_old`)
    const plan = composePlan({suffix: '_old'})
    const error = await refusedWithNothingWritten(() =>
      ensureBridgeDatabases(postgres, plan, OWNER, 'old-password'),
    )
    const adopt = /adopt them with `([^`]+)`/.exec(error.hint ?? '')?.[1]
    expect(adopt).toBe(`COMMENT ON ROLE "geniro_old" IS '${ownerMark(OWNER)}'`)

    await sql(adopt!)
    const adopted = await ensureBridgeDatabases(postgres, plan, OWNER, 'old-password')
    expect(adopted.role.action).toBe('unchanged')
    expect(adopted.databases.map((database) => database.action)).toEqual([
      'marked',
      'marked',
      'marked',
    ])
    const before = await catalogSnapshot(target)
    await ensureBridgeDatabases(postgres, plan, OWNER, 'old-password')
    expect(await catalogSnapshot(target)).toEqual(before)
  })

  it('finishes a run stopped between CREATE DATABASE and its comment', async () => {
    await sql('COMMENT ON DATABASE litellm_k8s IS NULL')
    const result = await ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD)
    expect(result.databases.map((database) => database.action)).toEqual([
      'unchanged',
      'unchanged',
      'marked',
    ])
    expect((await marks(target))['database litellm_k8s']).toBe(ownerMark(OWNER))
  })

  it('refuses a role or database that appears between the check and the write', async () => {
    await sql("CREATE ROLE raced LOGIN PASSWORD 'x'")
    await sql('CREATE DATABASE raced_db')
    const role = await rejection(postgres.createRole('raced', 'y', ownerMark(OWNER)))
    expect(role.message).toMatch(
      /^the role raced appeared at .* while geniro-dev was about to create it$/,
    )
    expect(await postgres.role('raced')).toEqual({comment: null})
    const database = await rejection(postgres.createDatabase('raced_db', 'raced', ownerMark(OWNER)))
    expect(database.message).toMatch(/^the database raced_db appeared at /)
    expect(await postgres.canLogin({user: 'raced', password: 'x'})).toBe(true)
  })

  it("the README's cleanup SQL drops only the named owner's marked databases and role", async () => {
    const everything = async () => ({
      databases: (await databaseNames(target)).sort(),
      roles: await withAdmin(target, 'postgres', async (client) =>
        (await client.query('SELECT rolname FROM pg_roles ORDER BY rolname')).rows.map(
          (row: {rolname: string}) => row.rolname,
        ),
      ),
    })
    const before = await everything()
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('#### Cleaning up what bridge created'))
    const command = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
    const listing = /```sql\n([\s\S]*?)```/.exec(section)?.[1]
    expect(command).toContain(`mark='${ownerMark(OWNER)}'`)

    // The listing shows exactly the marked objects.
    const listed = await withAdmin(target, 'postgres', async (client) =>
      (await client.query(listing!)).rows.map(
        (row: {kind: string; name: string}) => `${row.kind} ${row.name}`,
      ),
    )
    expect(listed.sort()).toEqual(Object.keys(await marks(target)).sort())

    // The command as written, with `docker compose exec -T postgres` pointed at this container.
    const script = command!.replace(
      'docker compose exec -T postgres',
      '"$DOCKER" exec -i "$CONTAINER"',
    )
    execFileSync('sh', ['-c', script], {
      env: {
        ...process.env,
        DOCKER: dockerCli(),
        DOCKER_HOST: dockerHost,
        CONTAINER: container,
        POSTGRES_USER: ADMIN.user,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })

    const gone = [
      'geniro_k8s',
      'keycloak_k8s',
      'litellm_k8s',
      'geniro_old',
      'keycloak_old',
      'litellm_old',
    ]
    const after = await everything()
    expect(after.databases).toEqual(before.databases.filter((name) => !gone.includes(name)))
    expect(after.roles).toEqual(
      before.roles.filter((name) => !['geniro_k8s', 'geniro_old'].includes(name)),
    )
    // team-b's, the stack's, the foreign-commented and the unmarked ones are all still there.
    expect(after.databases).toEqual(
      expect.arrayContaining(['geniro_team_b', 'app', 'keycloak_billing', 'raced_db', 'geniro']),
    )
    expect(after.roles).toEqual(expect.arrayContaining(['geniro_team_b', 'geniro_dev', 'raced']))
  })
})

describe('bridge databases on a Compose PostgreSQL 15 without pgvector', () => {
  it('refuses before creating anything and says the image lacks pgvector', async () => {
    const target = await startPostgres('pg15')
    const postgres = new Postgres(target)
    try {
      const before = await catalogSnapshot(target)
      const error = await rejection(
        ensureBridgeDatabases(postgres, composePlan(), OWNER, ROLE_PASSWORD),
      )
      expect(error.message).toMatch(
        /Compose PostgreSQL image at 127\.0\.0\.1:\d+ lacks the extension vector/,
      )
      expect(error.hint).toContain('pgvector/pgvector')
      expect(await catalogSnapshot(target)).toEqual(before)

      const direct = await rejection(postgres.ensureExtension('geniro', 'vector'))
      expect(direct.hint).toContain('pgvector/pgvector')
    } finally {
      await postgres.close()
    }
  })
})

describe('an unreachable PostgreSQL', () => {
  let silent: Server
  const sockets: Socket[] = []

  beforeAll(async () => {
    // Accepts connections and never says a word: a wedged server or a black-holed port.
    silent = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('reports a closed port as a UserError saying nothing listens there', async () => {
    const port = await closedPort()
    const postgres = new Postgres({host: '127.0.0.1', port, ...ADMIN})
    const error = await rejection(postgres.databases())
    expect(error.message).toBe(`nothing listens on 127.0.0.1:${port} (connection refused)`)
    expect(error.hint).toContain('docker compose up')
    await postgres.close()
  })

  it('gives up on a server that never answers after the connect timeout', async () => {
    const {port} = silent.address() as {port: number}
    const postgres = new Postgres({host: '127.0.0.1', port, ...ADMIN}, {connectTimeoutMs: 500})
    const started = Date.now()
    const error = await rejection(postgres.roleExists('geniro_k8s'))
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(error.message).toBe(`no PostgreSQL answered at 127.0.0.1:${port} within 500ms`)
    await postgres.close()
  })

  it('stops waiting for a server that never answers on Ctrl-C', async () => {
    const {port} = silent.address() as {port: number}
    const abort = new AbortController()
    const postgres = new Postgres(
      {host: '127.0.0.1', port, ...ADMIN},
      {connectTimeoutMs: 30_000, signal: abort.signal},
    )
    const started = Date.now()
    setTimeout(() => abort.abort('SIGINT'), 200)
    const error = await rejection(postgres.roleExists('geniro_k8s'), InterruptedError)
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(error.message).toBe(`interrupted while it tried to connect at 127.0.0.1:${port}`)
    await postgres.close()
  })
})

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}
