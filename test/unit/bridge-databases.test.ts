import {describe, expect, it} from 'vitest'
import {
  DEFAULT_DB_SUFFIX,
  planBridgeDatabases,
  type BridgeDatabasePlan,
} from '../../src/core/bridge-databases.js'
import {reservedNames} from '../../src/core/reserved-names.js'
import {composeModel} from '../../src/core/compose-model.js'
import {UserError} from '../../src/core/errors.js'

const STACK_DEFAULTS = ['geniro', 'keycloak', 'litellm', 'postgres', 'template0', 'template1']

function names(plan: BridgeDatabasePlan): Record<string, string> {
  return Object.fromEntries(plan.databases.map((database) => [database.purpose, database.name]))
}

function refusal(run: () => unknown): UserError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }
  throw new Error('expected a UserError')
}

/** The names reserved by a stack whose only service is the PostgreSQL one. */
function reservedDatabaseNames(
  service: {environment: Record<string, string>},
  scripts: string[],
): string[] {
  const postgres = {name: 'postgres', environment: service.environment}
  return reservedNames({
    services: [postgres],
    postgres,
    initScripts: scripts.map((text, i) => ({file: `init/0${i}.sql`, text})),
  }).map((reserved) => reserved.name)
}

describe('planBridgeDatabases', () => {
  it('plans geniro_k8s, keycloak_k8s and litellm_k8s owned by the role geniro_k8s by default', () => {
    const plan = planBridgeDatabases({reserved: STACK_DEFAULTS})
    expect(DEFAULT_DB_SUFFIX).toBe('_k8s')
    expect(plan).toEqual({
      role: 'geniro_k8s',
      databases: [
        {purpose: 'api', name: 'geniro_k8s', extensions: ['vector']},
        {purpose: 'keycloak', name: 'keycloak_k8s', extensions: []},
        {purpose: 'litellm', name: 'litellm_k8s', extensions: []},
      ],
    })
  })

  it('renames only the API database with --database', () => {
    const plan = planBridgeDatabases({database: 'geniro_cluster', reserved: STACK_DEFAULTS})
    expect(names(plan)).toEqual({
      api: 'geniro_cluster',
      keycloak: 'keycloak_k8s',
      litellm: 'litellm_k8s',
    })
    expect(plan.role).toBe('geniro_k8s')
  })

  it('applies --db-suffix to every database and the default role', () => {
    const plan = planBridgeDatabases({suffix: '_kind2', reserved: STACK_DEFAULTS})
    expect(names(plan)).toEqual({
      api: 'geniro_kind2',
      keycloak: 'keycloak_kind2',
      litellm: 'litellm_kind2',
    })
    expect(plan.role).toBe('geniro_kind2')
  })

  it('keeps an explicit role whatever the suffix', () => {
    expect(planBridgeDatabases({suffix: '_b', role: 'bridge', reserved: []}).role).toBe('bridge')
  })

  it('gives each call its own extension arrays', () => {
    const first = planBridgeDatabases({reserved: []})
    first.databases[0]!.extensions.push('postgis')
    expect(planBridgeDatabases({reserved: []}).databases[0]!.extensions).toEqual(['vector'])
  })

  it('refuses a --database the Compose stack uses, naming it and the fix', () => {
    const error = refusal(() => planBridgeDatabases({database: 'geniro', reserved: STACK_DEFAULTS}))
    expect(error.message).toContain('geniro')
    expect(error.message).toMatch(/never shares a database/)
    expect(error.hint).toContain('--database')
    expect(error.hint).toContain('--db-suffix')
  })

  it('refuses a planned name that collides with POSTGRES_DB, whatever its case', () => {
    const reserved = reservedDatabaseNames({environment: {POSTGRES_DB: 'Geniro_K8S'}}, [])
    const error = refusal(() => planBridgeDatabases({reserved}))
    expect(error.message).toContain('geniro_k8s')
    expect(error.hint).toMatch(/--database NAME.*--db-suffix/)
  })

  it('names every colliding database at once and only suggests --db-suffix when the API one is free', () => {
    const error = refusal(() => planBridgeDatabases({reserved: ['keycloak_k8s', 'litellm_k8s']}))
    expect(error.message).toContain('names keycloak_k8s, litellm_k8s')
    expect(error.hint).toBe('choose other names with --db-suffix SUFFIX')
  })

  it('accepts a suffix that clears the collisions', () => {
    const reserved = ['geniro_k8s', 'keycloak_k8s', 'litellm_k8s', ...STACK_DEFAULTS]
    expect(names(planBridgeDatabases({suffix: '_k8s2', reserved})).keycloak).toBe('keycloak_k8s2')
  })

  it('refuses an empty suffix, which would plan the Compose names themselves', () => {
    expect(
      refusal(() => planBridgeDatabases({suffix: '', reserved: STACK_DEFAULTS})).message,
    ).toMatch(/--db-suffix/)
  })

  it('refuses a role the Compose stack uses (its POSTGRES_USER)', () => {
    const reserved = reservedDatabaseNames({environment: {POSTGRES_USER: 'admin'}}, [])
    const error = refusal(() => planBridgeDatabases({role: 'admin', reserved}))
    expect(error.message).toContain('role name admin')
  })

  it('refuses a --database equal to another planned database', () => {
    const error = refusal(() => planBridgeDatabases({database: 'keycloak_k8s', reserved: []}))
    expect(error.message).toContain('keycloak database')
  })

  it.each([
    ['upper case', {database: 'Geniro'}, '--database'],
    ['a leading digit', {database: '1geniro'}, '--database'],
    ['a hyphen', {database: 'geniro-k8s'}, '--database'],
    ['a quote', {database: 'x"; DROP DATABASE geniro; --'}, '--database'],
    ['an empty name', {database: ''}, '--database'],
    ['64 characters', {database: `g${'x'.repeat(63)}`}, '--database'],
    ['a bad role', {role: 'geniro k8s'}, 'the role name'],
    ['a suffix with a dash', {suffix: '-k8s'}, '--db-suffix'],
    ['a suffix in upper case', {suffix: '_K8S'}, '--db-suffix'],
    [
      'a suffix that makes a name too long',
      {suffix: `_${'k'.repeat(55)}`, database: 'g'},
      '--db-suffix',
    ],
  ])('refuses an identifier with %s, saying where it came from', (_, input, source) => {
    const error = refusal(() => planBridgeDatabases({...input, reserved: []}))
    expect(error.message).toContain(source)
    expect(error.hint ?? '').toMatch(/lowercase/)
  })

  it('accepts names of exactly 63 characters and leading underscores', () => {
    const name = `g${'x'.repeat(62)}`
    expect(names(planBridgeDatabases({database: name, reserved: []})).api).toBe(name)
    expect(names(planBridgeDatabases({database: '_geniro', reserved: []})).api).toBe('_geniro')
  })
})

describe('reservedDatabaseNames', () => {
  const reserved = (environment: Record<string, string>, scripts: string[] = []) =>
    reservedDatabaseNames({environment}, scripts)

  it('always reserves the stack names and the databases initdb makes', () => {
    expect(reserved({})).toEqual(STACK_DEFAULTS)
  })

  it('reserves POSTGRES_DB and POSTGRES_USER (the image creates a database of that name)', () => {
    expect(reserved({POSTGRES_DB: 'app', POSTGRES_USER: 'owner', POSTGRES_PASSWORD: 'pw'})).toEqual(
      expect.arrayContaining(['app', 'owner']),
    )
    expect(reserved({POSTGRES_PASSWORD: 'pw'})).not.toContain('pw')
  })

  it('reads Keycloak JDBC URLs and the LiteLLM DATABASE_URL', () => {
    const names = reserved({
      KC_DB_URL: 'jdbc:postgresql://postgres:5432/kc_main?sslmode=disable',
      DATABASE_URL: 'postgresql://llmproxy:secret@db:5432/llm_proxy',
      REDIS_URL: 'redis://redis:6379/0',
    })
    expect(names).toEqual(expect.arrayContaining(['kc_main', 'llm_proxy']))
    expect(names).not.toContain('0')
  })

  it('reads postgres:// URLs with encoded names and no port', () => {
    expect(reserved({DB_URL: 'postgres://u@db/my%5Fdb'})).toContain('my_db')
  })

  it('reads database-name variables such as KC_DB_URL_DATABASE, LITELLM_DB_NAME and PGDATABASE', () => {
    expect(
      reserved({KC_DB_URL_DATABASE: 'kc', LITELLM_DB_NAME: 'llm', PGDATABASE: 'pgdb'}),
    ).toEqual(expect.arrayContaining(['kc', 'llm', 'pgdb']))
  })

  it('reads POSTGRES_MULTIPLE_DATABASES lists, with or without per-database users', () => {
    expect(reserved({POSTGRES_MULTIPLE_DATABASES: 'a, b;c'})).toEqual(
      expect.arrayContaining(['a', 'b', 'c']),
    )
    expect(reserved({POSTGRES_MULTIPLE_DATABASES: 'd:user_d:pw,e:user_e:pw'})).toEqual(
      expect.arrayContaining(['d', 'e']),
    )
  })

  it('reads CREATE DATABASE in SQL init scripts, quoted or not, in any case', () => {
    const sql = [
      'CREATE DATABASE keycloak_dev;',
      'create database "LiteLLM" OWNER llm;',
      'Create  Database\n  MixedCase;',
      'CREATE DATABASE "with ""quotes""";',
    ].join('\n')
    expect(reserved({}, [sql])).toEqual(
      expect.arrayContaining(['keycloak_dev', 'LiteLLM', 'mixedcase']),
    )
  })

  it('reads CREATE DATABASE inside psql -c and \\gexec strings of shell scripts', () => {
    const sh = [
      'psql -v ON_ERROR_STOP=1 -c "CREATE DATABASE analytics"',
      "SELECT 'CREATE DATABASE reports' WHERE NOT EXISTS (SELECT FROM pg_database) \\gexec",
    ].join('\n')
    expect(reserved({}, [sh])).toEqual(expect.arrayContaining(['analytics', 'reports']))
  })

  it('reads createdb commands, skipping option values that are no names, resolving variables', () => {
    const sh = [
      'createdb -U "$POSTGRES_USER" -O owner --encoding=UTF8 daytona',
      'createdb --username postgres "${EXTRA_DB:-extra_default}"',
      'createdb -U postgres $SECOND_DB && echo done',
      'createdb -T template0 "$UNKNOWN_VAR"',
    ].join('\n')
    const names = reserved({POSTGRES_USER: 'admin', SECOND_DB: 'second'}, [sh])
    // -O names the owner: a user of the stack, reserved as well.
    expect(names).toEqual(
      expect.arrayContaining(['daytona', 'extra_default', 'second', 'admin', 'owner']),
    )
    expect(names).not.toContain('UTF8')
    expect(names).not.toContain('-T')
    expect(names.some((name) => name.includes('$'))).toBe(false)
  })

  it('collides with a planned name coming from an init script', () => {
    const names = reserved({}, ['CREATE DATABASE geniro_k8s;'])
    expect(refusal(() => planBridgeDatabases({reserved: names})).message).toContain('geniro_k8s')
  })

  it('lists each name once', () => {
    const names = reserved({POSTGRES_DB: 'geniro', POSTGRES_USER: 'geniro'}, [
      'CREATE DATABASE geniro;',
    ])
    expect(names.filter((name) => name === 'geniro')).toHaveLength(1)
  })
})

describe('reservedNames across the whole Compose stack', () => {
  const postgres = {name: 'db', environment: {POSTGRES_PASSWORD: 'pw'}}
  const stack = (
    services: {name: string; environment: Record<string, string>; command?: string[]}[],
    initScripts: string[] = [],
  ) =>
    reservedNames({
      services: [postgres, ...services],
      postgres,
      initScripts: initScripts.map((text, i) => ({file: `initdb/0${i}.sh`, text})),
    })
  const names = (...args: Parameters<typeof stack>) => stack(...args).map((entry) => entry.name)

  it.each([
    ['postgres://', 'postgres://app_user:s3cret@db:5432/app_db?sslmode=disable'],
    ['postgresql:// without a port', 'postgresql://app_user@db/app_db'],
    ['SQLAlchemy postgresql+psycopg2://', 'postgresql+psycopg2://app_user:pw@db/app_db'],
    ['SQLAlchemy postgresql+asyncpg://', 'postgresql+asyncpg://app_user:p%40ss@db:5432/app_db'],
    ['jdbc:postgresql:// with ?user=', 'jdbc:postgresql://db:5432/app_db?user=app_user&password=x'],
    ['a libpq key=value string', "host=db port=5432 user=app_user dbname='app_db' password=x"],
    ['percent-encoded names', 'postgres://app%5Fuser:pw@db/app%5Fdb'],
  ])("reserves the user and database of another service's URL: %s", (_, url) => {
    const found = names([{name: 'api', environment: {DATABASE_URL: url}}])
    expect(found).toEqual(expect.arrayContaining(['app_user', 'app_db']))
    expect(found).not.toContain('s3cret')
    expect(found).not.toContain('pw')
  })

  it('reserves URLs embedded in longer values and in a service command', () => {
    const found = names([
      {name: 'kc', environment: {JAVA_OPTS: '-Ddb=jdbc:postgresql://db/kc_db -Xmx1g'}},
      {
        name: 'worker',
        environment: {},
        command: ['worker', '--db', 'postgresql://worker_user:pw@db/worker_db'],
      },
    ])
    expect(found).toEqual(expect.arrayContaining(['kc_db', 'worker_user', 'worker_db']))
  })

  it('reserves *_DB, *_DATABASE, *_USER and *_USERNAME variables of every service, not passwords', () => {
    const found = names([
      {
        name: 'keycloak',
        environment: {
          KC_DB_USERNAME: 'kc_user',
          KC_DB_URL_DATABASE: 'kc_data',
          KC_DB_PASSWORD: 'x1',
        },
      },
      {name: 'api', environment: {APP_DB: 'api_db', DB_USER: 'api_user', DB_PASSWORD: 'x2'}},
    ])
    expect(found).toEqual(expect.arrayContaining(['kc_user', 'kc_data', 'api_db', 'api_user']))
    expect(found).not.toContain('x1')
    expect(found).not.toContain('x2')
  })

  it("reserves the image's default user and the database named after POSTGRES_USER", () => {
    expect(names([])).toContain('postgres')
    const own = {name: 'db', environment: {POSTGRES_USER: 'stack_admin', POSTGRES_PASSWORD: 'pw'}}
    const found = reservedNames({services: [own], postgres: own, initScripts: []})
    expect(found).toContainEqual({
      name: 'stack_admin',
      where: 'POSTGRES_USER of Compose service "db"',
    })
  })

  it('reserves roles, users and owners named in init scripts', () => {
    const sql = [
      'CREATE ROLE reporting NOLOGIN;',
      "CREATE USER app_login WITH PASSWORD 'pw';",
      'CREATE GROUP readers;',
      'ALTER DATABASE olddb RENAME TO newdb;',
      'CREATE DATABASE shop OWNER shop_owner;',
      'GRANT ALL PRIVILEGES ON DATABASE shop TO shop_writer;',
      '\\connect analytics analyst',
    ].join('\n')
    const sh = [
      'createuser --no-superuser -c 10 "$APP_ROLE"',
      'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname=tenant_db <<-EOSQL',
      '  CREATE USER ${TENANT_USER:-tenant} ;',
      'EOSQL',
    ].join('\n')
    const own = {
      name: 'db',
      environment: {POSTGRES_USER: 'root_user', APP_ROLE: 'role_from_env', POSTGRES_PASSWORD: 'p'},
    }
    const found = reservedNames({
      services: [own],
      postgres: own,
      initScripts: [
        {file: 'init/01.sql', text: sql},
        {file: 'init/02.sh', text: sh},
      ],
    }).map((entry) => entry.name)
    expect(found).toEqual(
      expect.arrayContaining([
        'reporting',
        'app_login',
        'readers',
        'olddb',
        'newdb',
        'shop',
        'shop_owner',
        'shop_writer',
        'analytics',
        'analyst',
        'role_from_env',
        'root_user',
        'tenant_db',
        'tenant',
      ]),
    )
    expect(found).not.toContain('10')
    expect(found).not.toContain('public')
  })

  it('takes env_file variables into account through the model (env_file under environment)', () => {
    const project = composeModel(
      [
        {
          path: '/stack/compose.yaml',
          text: [
            'services:',
            '  db:',
            '    image: postgres:17',
            '  api:',
            '    image: app',
            '    env_file: app.env',
            '    environment:',
            '      APP_DB_USER: from_environment',
          ].join('\n'),
        },
      ],
      {
        env: {},
        workingDir: '/stack',
        envFileTexts: {
          '/stack/app.env': 'DATABASE_URL=postgres://env_file_user:pw@db/env_file_db\n',
        },
      },
    )
    const db = project.services.find((service) => service.name === 'db')!
    const found = reservedNames({services: project.services, postgres: db, initScripts: []})
    expect(found.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['env_file_user', 'env_file_db', 'from_environment']),
    )
  })

  it('refuses a planned role that another service logs in as, saying where', () => {
    const reserved = stack([
      {name: 'api', environment: {DATABASE_URL: 'postgresql://geniro_dev:pw@db/app'}},
    ])
    // geniro_dev is the planned API database too: one refusal names it once.
    const error = refusal(() => planBridgeDatabases({suffix: '_dev', reserved}))
    expect(error.message).toBe(
      'the Compose stack already uses the name geniro_dev (DATABASE_URL of Compose service "api"); bridge mode never shares a database or a role with it',
    )
    expect(error.hint).toContain('--db-suffix')
    // With the API database renamed, the role alone still collides.
    const role = refusal(() => planBridgeDatabases({suffix: '_dev', database: 'api_k8s', reserved}))
    expect(role.message).toBe(
      'the role name geniro_dev (DATABASE_URL of Compose service "api") is one the Compose stack uses; bridge mode logs in with a role of its own',
    )
  })

  it('refuses a planned database that another service uses, saying where', () => {
    const reserved = stack([{name: 'api', environment: {APP_DATABASE: 'reports'}}])
    const error = refusal(() => planBridgeDatabases({database: 'reports', reserved}))
    expect(error.message).toContain('reports (APP_DATABASE of Compose service "api")')
    expect(error.hint).toContain('--database NAME')
  })

  it('never throws on hostile values', () => {
    const hostile = [
      'postgres://%E0%A4%A@db/%ZZ',
      'postgres://',
      'jdbc:postgresql:',
      "user='unterminated",
      '${'.repeat(1000),
      'x://'.repeat(10_000),
    ]
    expect(() =>
      stack(
        hostile.map((value, i) => ({name: `s${i}`, environment: {DATABASE_URL: value}})),
        ['CREATE DATABASE "unterminated', 'createdb -O', 'psql --username'],
      ),
    ).not.toThrow()
  })
})
