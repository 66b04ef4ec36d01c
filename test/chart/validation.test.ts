/**
 * Contradictory or removed values stop the render with a message that names the values to
 * change, under Helm 4 and Helm 3 alike.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {HELMS, type HelmName, renderChart, renderFailure} from '../support/helm.js'

const VERSIONS: HelmName[] = ['helm4', 'helm3']

/** Helm's error when values.schema.json rejects the values before any template runs. */
const SCHEMA_ERROR = /don't meet the specifications of the schema/

interface Contradiction {
  name: string
  set: Record<string, string>
  /** What the message must mention, each one. */
  mentions: Array<string | RegExp>
}

const CONTRADICTIONS: Contradiction[] = [
  {
    name: 'the in-cluster PostgreSQL and an external PostgreSQL both enabled',
    set: {'externalPostgresql.enabled': 'true', 'externalPostgresql.host': 'db.example.internal'},
    mentions: [/(^|[^.\w])postgresql\.enabled/, 'externalPostgresql.enabled'],
  },
  {
    name: 'an external PostgreSQL without a host',
    set: {'postgresql.enabled': 'false', 'externalPostgresql.enabled': 'true'},
    mentions: ['externalPostgresql.host'],
  },
  {
    name: 'an external PostgreSQL on localhost (the pod itself)',
    set: {
      'postgresql.enabled': 'false',
      'externalPostgresql.enabled': 'true',
      'externalPostgresql.host': 'localhost',
    },
    mentions: ['externalPostgresql.host', 'localhost'],
  },
  {
    name: 'an external PostgreSQL on 127.0.0.1 (the pod itself)',
    set: {
      'postgresql.enabled': 'false',
      'externalPostgresql.enabled': 'true',
      'externalPostgresql.host': '127.0.0.1',
    },
    mentions: ['externalPostgresql.host', '127.0.0.1'],
  },
  {
    name: 'the API without any Redis',
    set: {'redis.enabled': 'false'},
    mentions: [/Redis/, 'externalRedis'],
  },
  {
    name: 'Daytona with an external Redis database other than 0 (Daytona only uses database 0)',
    set: {
      'daytona.enabled': 'true',
      'redis.enabled': 'false',
      'externalRedis.enabled': 'true',
      'externalRedis.host': 'cache.example.internal',
      'externalRedis.database': '2',
    },
    mentions: [
      'daytona.enabled',
      'externalRedis.database',
      'REDIS_HOST',
      'externalRedis.database=0',
    ],
  },
  {
    name: 'two components sharing one database',
    set: {'litellm.database': 'geniro'},
    mentions: ['api.database', 'litellm.database', '"geniro"'],
  },
  {
    name: 'a LiteLLM master key that does not start with sk-',
    set: {'secrets.litellmMasterKey': 'CHANGE_ME_master'},
    mentions: ['secrets.litellmMasterKey', 'sk-'],
  },
]

interface RemovedKey {
  set: Record<string, string>
  /** The removed key, as the user wrote it in the Bitnami-based layout. */
  removed: string
  /** The key (or advice) the message must point to. */
  replacement: string
}

const REMOVED_KEYS: RemovedKey[] = [
  {
    set: {'postgresql.auth.password': 'hunter22'},
    removed: 'postgresql.auth',
    replacement: 'secrets.postgresPassword',
  },
  {
    set: {'postgresql.primary.persistence.size': '20Gi'},
    removed: 'postgresql.primary',
    replacement: 'postgresql.persistence',
  },
  {
    set: {'redis.architecture': 'replication'},
    removed: 'redis.architecture',
    replacement: 'externalRedis',
  },
]

beforeAll(async () => {
  // Every failing render at once through the helper's pool; the tests read the cache.
  const sets = [...CONTRADICTIONS, ...REMOVED_KEYS].map((c) => c.set)
  await Promise.allSettled(
    VERSIONS.flatMap((helm) => sets.map((set) => renderFailure({helm, set}))),
  )
})

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

for (const helm of VERSIONS) {
  describe(`${HELMS[helm].label} refuses`, () => {
    for (const {name, set, mentions} of CONTRADICTIONS) {
      it(`${name}, naming the values to change`, async () => {
        const stderr = await renderFailure({helm, set})
        expect(stderr, 'rejected by the chart’s checks, not by the schema').not.toMatch(
          SCHEMA_ERROR,
        )
        expect(stderr).toMatch(/values: /)
        for (const mention of mentions) {
          if (typeof mention === 'string') expect(stderr).toContain(mention)
          else expect(stderr).toMatch(mention)
        }
      })
    }

    for (const {set, removed, replacement} of REMOVED_KEYS) {
      const key = Object.keys(set)[0]
      it(`the Bitnami-era ${key}, naming ${removed}`, async () => {
        const stderr = await renderFailure({helm, set})
        if (SCHEMA_ERROR.test(stderr)) {
          // values.schema.json rejected it first: the removed key must still be named.
          const parts = removed.split('.')
          const leaf = parts.pop() ?? ''
          const parent = parts.map(escape).join('[./]')
          expect(stderr).toMatch(new RegExp(`${parent}\\W.*\\b${escape(leaf)}\\b`))
        } else {
          expect(stderr).toContain(`${removed} was removed`)
          expect(stderr).toContain(replacement)
        }
      })
    }
  })
}

describe('the chart’s checks', () => {
  it('accept the defaults', async () => {
    await expect(renderChart()).resolves.toMatchObject({objects: expect.any(Array)})
  })

  it('accept Daytona with an external Redis on database 0', async () => {
    const r = await renderChart({
      set: {
        'daytona.enabled': 'true',
        'redis.enabled': 'false',
        'externalRedis.enabled': 'true',
        'externalRedis.host': 'cache.example.internal',
        'externalRedis.database': '0',
      },
    })
    expect(r.objects.length).toBeGreaterThan(0)
  })

  it('accept Daytona beside an external Redis database that only the disabled block names', async () => {
    const r = await renderChart({
      set: {'daytona.enabled': 'true', 'externalRedis.database': '3'},
    })
    expect(r.objects.length).toBeGreaterThan(0)
  })

  it('accept an external PostgreSQL with a reachable host', async () => {
    const r = await renderChart({
      set: {
        'postgresql.enabled': 'false',
        'externalPostgresql.enabled': 'true',
        'externalPostgresql.host': 'db.example.internal',
      },
    })
    expect(r.objects.length).toBeGreaterThan(0)
  })
})
