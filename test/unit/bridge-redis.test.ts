import {describe, expect, it} from 'vitest'
import {
  DEFAULT_REDIS_DATABASE,
  parseBridgeServices,
  planRedisDatabase,
  redisDatabaseCount,
  redisDatabasesInUse,
  redisPassword,
} from '../../src/core/bridge-redis.js'
import {bridgeRedisValues, bridgeValues} from '../../src/core/bridge-values.js'
import {planBridgeDatabases} from '../../src/core/bridge-databases.js'
import {composeModel, type ComposeService} from '../../src/core/compose-model.js'
import {UsageError, UserError} from '../../src/core/errors.js'

function service(fields: Partial<ComposeService> = {}): ComposeService {
  return {name: 'redis', ports: [], environment: {}, ...fields}
}

/** The services of a Compose file, as the model reads it. */
function servicesOf(text: string, env: Record<string, string> = {}): ComposeService[] {
  return composeModel([{path: '/p/compose.yaml', text}], {env, workingDir: '/p'}).services
}

function refusal<T extends Error>(run: () => unknown, type: new (...args: never[]) => T): T {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(type)
    return error as T
  }
  throw new Error(`expected a ${type.name}`)
}

describe('parseBridgeServices', () => {
  it('shares nothing by default', () => {
    expect(parseBridgeServices([])).toEqual([])
  })

  it('takes redis, in any case, once', () => {
    expect(parseBridgeServices(['redis', ' Redis ', ''])).toEqual(['redis'])
  })

  it('refuses Qdrant: no collection prefix, so it stays in the cluster', () => {
    const error = refusal(() => parseBridgeServices(['redis', 'qdrant']), UserError)
    expect(error.message).toMatch(/Qdrant cannot be shared safely/)
    expect(error.message).toMatch(/collection-prefix/)
    expect(error.message).toMatch(/stays in the cluster/)
    expect(error.hint).toBe('drop qdrant from --bridge-services (--bridge-services redis)')
  })

  it('refuses an unknown service as a usage error', () => {
    const error = refusal(() => parseBridgeServices(['memcached']), UsageError)
    expect(error.message).toContain('"memcached"')
  })
})

describe('redisPassword', () => {
  it('is empty for a Redis that asks for none', () => {
    expect(redisPassword(service())).toBe('')
    expect(redisPassword(service({command: ['redis-server', '--appendonly', 'yes']}))).toBe('')
  })

  it('reads --requirepass from the command, as a list or as a string', () => {
    expect(redisPassword(service({command: ['redis-server', '--requirepass', 's3cret']}))).toBe(
      's3cret',
    )
    const [fromString] = servicesOf(
      'services:\n  redis:\n    image: redis:7\n    command: redis-server --requirepass "two words" --appendonly yes\n',
    )
    expect(fromString?.command).toEqual([
      'redis-server',
      '--requirepass',
      'two words',
      '--appendonly',
      'yes',
    ])
    expect(redisPassword(fromString!)).toBe('two words')
  })

  it('takes the password Compose interpolated into the command', () => {
    const [redis] = servicesOf(
      'services:\n  redis:\n    image: valkey/valkey:8\n    command: ["valkey-server", "--requirepass", "${REDIS_PASSWORD:-fallback}"]\n',
      {REDIS_PASSWORD: 'from-dotenv'},
    )
    expect(redisPassword(redis!)).toBe('from-dotenv')
  })

  it('reads a sh -c script, taking $VAR from the service environment', () => {
    const [redis] = servicesOf(
      [
        'services:',
        '  redis:',
        '    image: redis:7',
        '    environment:',
        '      REDIS_PASS: in-env',
        '    command: ["sh", "-c", "exec redis-server --requirepass \\"$$REDIS_PASS\\""]',
        '',
      ].join('\n'),
    )
    expect(redisPassword(redis!)).toBe('in-env')
  })

  it('refuses a --requirepass variable it cannot resolve', () => {
    const error = refusal(
      () =>
        redisPassword(
          service({
            command: ['sh', '-c', 'redis-server --requirepass ${MISSING}'],
            environment: {},
          }),
        ),
      UserError,
    )
    expect(error.message).toContain('MISSING')
  })

  it('keeps a literal $ of an exec-form command (no shell expands it)', () => {
    expect(redisPassword(service({command: ['redis-server', '--requirepass', '$notavar']}))).toBe(
      '$notavar',
    )
  })

  it('falls back to REDIS_PASSWORD, then REDIS_PASS, of the environment', () => {
    expect(redisPassword(service({environment: {REDIS_PASSWORD: 'a', REDIS_PASS: 'b'}}))).toBe('a')
    expect(redisPassword(service({environment: {REDIS_PASS: 'b'}}))).toBe('b')
    expect(
      redisPassword(
        service({
          command: ['redis-server', '--requirepass', 'cmd'],
          environment: {REDIS_PASS: 'b'},
        }),
      ),
    ).toBe('cmd')
  })
})

describe('redisDatabasesInUse', () => {
  it('always counts 0, the default database of every client', () => {
    expect(redisDatabasesInUse([]).map((use) => use.database)).toEqual([0])
  })

  it('finds the database of redis:// and rediss:// URLs and of REDIS_DB/REDIS_DATABASE variables', () => {
    const uses = redisDatabasesInUse([
      service({name: 'api', environment: {REDIS_URL: 'redis://:pw@redis:6379/3'}}),
      service({name: 'worker', environment: {QUEUE: 'rediss://cache:6380/4?timeout=5'}}),
      service({name: 'py', environment: {BROKER: 'redis://redis:6379?db=5'}}),
      service({name: 'bull', environment: {BULL_REDIS_DB: '6', REDIS_DATABASE: ' 7 '}}),
      service({name: 'plain', environment: {CACHE_URL: 'redis://redis:6379'}}),
      service({name: 'other', environment: {DB: '8', REDIS_HOST: 'redis', PORT: '9'}}),
    ])
    expect(uses.map((use) => use.database).sort((a, b) => a - b)).toEqual([0, 0, 3, 4, 5, 6, 7])
    expect(uses).toContainEqual({database: 3, where: 'REDIS_URL of Compose service "api"'})
  })

  it('finds URLs inside longer values', () => {
    const uses = redisDatabasesInUse([
      service({name: 'app', environment: {OPTS: '--cache redis://redis/9,--x'}}),
    ])
    expect(uses.map((use) => use.database)).toContain(9)
  })
})

describe('redisDatabaseCount', () => {
  it('is 16 unless the command lowers it with --databases', () => {
    expect(redisDatabaseCount(service())).toBe(16)
    expect(redisDatabaseCount(service({command: ['redis-server', '--databases', '4']}))).toBe(4)
    expect(redisDatabaseCount(service({command: ['redis-server', '--databases', '64']}))).toBe(16)
  })
})

describe('planRedisDatabase', () => {
  const inUse = redisDatabasesInUse([
    service({name: 'api', environment: {REDIS_URL: 'redis://redis:6379/1'}}),
  ])

  it('takes database 1 by default', () => {
    expect(DEFAULT_REDIS_DATABASE).toBe(1)
    expect(planRedisDatabase({inUse: redisDatabasesInUse([]), service: 'redis'})).toBe(1)
  })

  it('takes the requested database when the stack does not use it', () => {
    expect(planRedisDatabase({requested: 5, inUse, service: 'redis'})).toBe(5)
  })

  it('refuses 0, the stack’s default', () => {
    const error = refusal(
      () => planRedisDatabase({requested: 0, inUse, service: 'redis'}),
      UserError,
    )
    expect(error.message).toContain('Redis database 0 belongs to the Compose stack')
    expect(error.hint).toBe('pass --redis-database 2 (a database the Compose stack does not use)')
  })

  it('refuses the default 1 when a Compose service uses it, naming where', () => {
    const error = refusal(() => planRedisDatabase({inUse, service: 'redis'}), UserError)
    expect(error.message).toContain('REDIS_URL of Compose service "api"')
    expect(error.hint).toContain('--redis-database 2')
  })

  it('refuses a database the Compose Redis does not have', () => {
    const error = refusal(
      () => planRedisDatabase({requested: 4, inUse, count: 4, service: 'redis'}),
      UserError,
    )
    expect(error.message).toContain('0–3')
  })

  it('says so when every database is taken', () => {
    const full = redisDatabasesInUse([
      service({environment: {A_REDIS_DB: '1', B_REDIS_DB: '2', C_REDIS_DB: '3'}}),
    ])
    const error = refusal(
      () => planRedisDatabase({requested: 1, inUse: full, count: 4, service: 'redis'}),
      UserError,
    )
    expect(error.hint).toMatch(/no free database/)
  })
})

describe('bridgeRedisValues', () => {
  const route = {host: '172.18.0.1', port: 6380, path: 'gateway' as const}

  it('turns the chart’s Redis off and points externalRedis at the Compose Redis, database and Secret', () => {
    expect(bridgeRedisValues({route, database: 1, auth: true})).toEqual({
      redis: {enabled: false},
      externalRedis: {
        enabled: true,
        host: '172.18.0.1',
        port: 6380,
        database: 1,
        auth: true,
        existingSecret: 'geniro-dev-bridge-redis',
        existingSecretPasswordKey: 'password',
      },
    })
  })

  it('asks for no password from a Redis without one', () => {
    expect(bridgeRedisValues({route, database: 3, auth: false}).externalRedis).toMatchObject({
      auth: false,
      database: 3,
    })
  })

  it('never overlaps the PostgreSQL values', () => {
    const postgres = bridgeValues(route, planBridgeDatabases({reserved: []}))
    const redis = bridgeRedisValues({route, database: 1, auth: true})
    expect(Object.keys(postgres).filter((key) => key in redis)).toEqual([])
  })
})
