/**
 * The render matrix: each optional component on and off, every data service in-cluster and
 * external, two release names and two namespaces. Every render checks what a user would see
 * change, not only that it renders.
 */
import {describe, expect, it} from 'vitest'
import {
  componentOf,
  type Container,
  containerSettings,
  containersOfPod,
  effectiveValues,
  envByName,
  findObject,
  fullnameFor,
  idOf,
  isNamespaced,
  type K8sObject,
  LONG_RUNNING_KINDS,
  podTemplateOf,
  type Render,
  renderChart,
  type RenderOptions,
  secretRefOf,
  stringLeaves,
  valueAt,
  workloadsOf,
} from '../support/helm.js'

const render = (options: RenderOptions = {}) => renderChart(options)

/** Components with a workload of their own, and whether the defaults deploy them. */
const DEFAULT_ON = ['api', 'web', 'litellm', 'keycloak', 'postgresql', 'redis', 'qdrant']
const DAYTONA = ['daytona-api', 'daytona-runner', 'daytona-proxy']
/** Consumers of PostgreSQL, each with a database of its own. */
const DATABASE_CONSUMERS = ['api', 'litellm', 'keycloak'] as const

function objectsOf(r: Render, component: string): K8sObject[] {
  return r.objects.filter((o) => componentOf(o) === component)
}

/** The one long-running workload of a component. */
function workload(r: Render, component: string): K8sObject {
  const found = workloadsOf(r.objects, component)
  expect(found.map(idOf), `one workload of component ${component}`).toHaveLength(1)
  return found[0]!
}

/** A workload's main container: the one named after its component, else the first. */
function mainContainer(obj: K8sObject): Container {
  const containers = podTemplateOf(obj)?.spec.containers ?? []
  const container = containers.find((c) => c.name === componentOf(obj)) ?? containers[0]
  expect(container, `${idOf(obj)} has a container`).toBeDefined()
  return container!
}

function apiContainer(r: Render): Container {
  return mainContainer(workload(r, 'api'))
}

function apiSettings(r: Render): Record<string, string> {
  return containerSettings(r.objects, apiContainer(r))
}

/** A URL without its userinfo (`redis://:$(REDIS_PASSWORD)@host:6379` → `redis://host:6379`). */
function withoutCredentials(url: string | undefined): string | undefined {
  return url?.replace(/^([a-z]+:\/\/)[^@/]*@/, '$1')
}

/** REDIS_URL as the API sees it: the host part, and any password only as a reference. */
function redisUrl(r: Render): string | undefined {
  const url = apiSettings(r).REDIS_URL
  const userinfo = /^[a-z]+:\/\/([^@/]*)@/.exec(url ?? '')?.[1]
  if (userinfo !== undefined) {
    expect(userinfo, 'the password in REDIS_URL is a $(VAR) reference').toMatch(/^[^:]*:\$\(\w+\)$/)
  }
  return withoutCredentials(url)
}

/** The init container that waits for a consumer's database (geniro.waitForDatabase). */
function waitForDatabase(obj: K8sObject): Container {
  const init = podTemplateOf(obj)?.spec.initContainers?.find((c) => c.name === 'wait-for-database')
  expect(
    init,
    `${idOf(obj)} waits for its database (init container wait-for-database)`,
  ).toBeDefined()
  return init!
}

function envValue(container: Container, name: string): string | undefined {
  return envByName(container).get(name)?.value
}

/** Where any string of the render mentions `needle` (object and path). */
function mentions(r: Render, needle: string): string[] {
  return r.objects.flatMap((o) =>
    stringLeaves(o)
      .filter((leaf) => leaf.value.includes(needle))
      .map((leaf) => `${idOf(o)} ${leaf.path}`),
  )
}

describe('the default values', () => {
  it('deploy the API, web app, LiteLLM, Keycloak, PostgreSQL, Valkey and Qdrant', async () => {
    const r = await render()
    for (const component of DEFAULT_ON) {
      expect(workloadsOf(r.objects, component).map(idOf), component).toHaveLength(1)
    }
  })

  it('leave Daytona out: no Daytona object and no Daytona setting in the API', async () => {
    const r = await render()
    const daytona = r.objects.filter((o) => componentOf(o)?.startsWith('daytona'))
    expect(daytona.map(idOf)).toEqual([])
    expect(apiSettings(r)).not.toHaveProperty('DAYTONA_API_URL')
    expect(envByName(apiContainer(r)).has('DAYTONA_API_KEY')).toBe(false)
    expect(mentions(r, 'daytona')).toEqual([])
  })

  it('point the API at the in-cluster services by their Service names', async () => {
    const r = await render()
    const settings = apiSettings(r)
    expect(redisUrl(r)).toBe('redis://geniro-redis:6379')
    expect(settings.QDRANT_URL).toBe('http://geniro-qdrant:6333')
    expect(settings.LLM_BASE_URL).toBe('http://geniro-litellm:4000')
    // Keycloak is known by its public URL (keycloak.hostname): the issuer of the tokens.
    expect(settings.KEYCLOAK_URL).toBe('http://localhost:18080')
    const api = apiContainer(r)
    expect(envValue(api, 'POSTGRES_HOST')).toBe('geniro-postgresql')
    expect(envValue(api, 'POSTGRES_PORT')).toBe('5432')
    for (const service of ['redis', 'qdrant', 'litellm', 'keycloak', 'postgresql']) {
      expect(findObject(r.objects, 'Service', `geniro-${service}`), service).toBeDefined()
    }
  })

  it('give the API, LiteLLM and Keycloak databases of their own on the in-cluster PostgreSQL', async () => {
    const r = await render()
    const databases = DATABASE_CONSUMERS.map((component) => {
      const init = waitForDatabase(workload(r, component))
      expect(envValue(init, 'PGHOST'), component).toBe('geniro-postgresql')
      expect(envValue(init, 'PGPORT'), component).toBe('5432')
      expect(secretRefOf(init, 'PGPASSWORD'), component).toEqual({
        name: 'geniro-secrets',
        key: 'postgres-password',
      })
      return envValue(init, 'PGDATABASE')
    })
    expect(databases).toEqual(['geniro', 'litellm', 'keycloak'])
  })
})

describe('turning a component off', () => {
  const CASES: Array<{component: string; set: Record<string, string>}> = [
    {component: 'api', set: {'api.enabled': 'false'}},
    {component: 'web', set: {'web.enabled': 'false'}},
    {
      component: 'litellm',
      set: {
        'litellm.enabled': 'false',
        'externalLitellm.enabled': 'true',
        'externalLitellm.url': 'https://llm.example.com',
      },
    },
    {
      component: 'keycloak',
      set: {
        'keycloak.enabled': 'false',
        'externalKeycloak.enabled': 'true',
        'externalKeycloak.url': 'https://auth.example.com',
      },
    },
  ]

  for (const {component, set} of CASES) {
    it(`removes every ${component} object and keeps the other components`, async () => {
      const r = await render({set})
      expect(objectsOf(r, component).map(idOf)).toEqual([])
      expect(
        r.objects.filter((o) => o.metadata.name.startsWith(`geniro-${component}`)).map(idOf),
      ).toEqual([])
      for (const other of DEFAULT_ON.filter((c) => c !== component)) {
        expect(workloadsOf(r.objects, other).map(idOf), other).toHaveLength(1)
      }
    })
  }

  it('leaves no Service name of a disabled in-cluster component anywhere in the render', async () => {
    for (const {component, set} of CASES.filter((c) => c.component !== 'api')) {
      const r = await render({set})
      expect(mentions(r, `geniro-${component}`), component).toEqual([])
    }
  })

  it('points the API at an external LiteLLM with that LiteLLM’s own master key Secret', async () => {
    const r = await render({
      set: {
        'litellm.enabled': 'false',
        'externalLitellm.enabled': 'true',
        'externalLitellm.url': 'https://llm.example.com',
        'externalLitellm.existingSecret': 'llm-credentials',
      },
    })
    expect(apiSettings(r).LLM_BASE_URL).toBe('https://llm.example.com')
    expect(secretRefOf(apiContainer(r), 'LITELLM_MASTER_KEY')).toEqual({
      name: 'llm-credentials',
      key: 'master-key',
    })
    expect(r.objects.filter((o) => componentOf(o) === 'litellm').map(idOf)).toEqual([])
  })

  it('points the API at an external Keycloak, realm and client', async () => {
    const r = await render({
      set: {
        'keycloak.enabled': 'false',
        'externalKeycloak.enabled': 'true',
        'externalKeycloak.url': 'https://auth.example.com',
        'externalKeycloak.realm': 'acme',
        'externalKeycloak.clientId': 'acme-web',
      },
    })
    const config = apiSettings(r)
    expect(config.KEYCLOAK_URL).toBe('https://auth.example.com')
    expect(config.KEYCLOAK_REALM).toBe('acme')
    expect(config.KEYCLOAK_CLIENT_ID).toBe('acme-web')
  })

  it('without the API still deploys the web app and services, and no API ConfigMap', async () => {
    const r = await render({set: {'api.enabled': 'false'}})
    expect(findObject(r.objects, 'ConfigMap', 'geniro-api')).toBeUndefined()
    expect(findObject(r.objects, 'Service', 'geniro-api')).toBeUndefined()
    expect(workloadsOf(r.objects, 'web').map(idOf)).toHaveLength(1)
  })
})

describe('Daytona turned on (ci/daytona-values.yaml)', () => {
  const options = {valuesFiles: ['ci/daytona-values.yaml']}

  it('deploys the Daytona API, runner and proxy as geniro-daytona-*', async () => {
    const r = await render(options)
    for (const component of DAYTONA) {
      expect(workload(r, component).metadata.name).toBe(`geniro-${component}`)
    }
  })

  it('points the API at the Daytona API with the Daytona key from the chart Secret', async () => {
    const r = await render(options)
    const config = apiSettings(r)
    // The API's own spelling of the runtime, as the values file gives it.
    const runtime = valueAt(effectiveValues(options.valuesFiles), 'api.config.defaultRuntimeType')
    expect(runtime, 'api.config.defaultRuntimeType').toMatch(/^daytona$/i)
    expect(config.DEFAULT_RUNTIME_TYPE).toBe(runtime)
    expect(config.DAYTONA_API_URL).toBe('http://geniro-daytona-api:3986/api')
    expect(secretRefOf(apiContainer(r), 'DAYTONA_API_KEY')).toEqual({
      name: 'geniro-secrets',
      key: 'daytona-api-key',
    })
  })

  it('gives Daytona a database of its own', async () => {
    const r = await render(options)
    const init = waitForDatabase(workload(r, 'daytona-api'))
    expect(envValue(init, 'PGDATABASE')).toBe('daytona')
  })
})

describe('an external PostgreSQL', () => {
  const set = {
    'postgresql.enabled': 'false',
    'externalPostgresql.enabled': 'true',
    'externalPostgresql.host': 'db.example.internal',
    'externalPostgresql.port': '6543',
    'externalPostgresql.existingSecret': 'db-credentials',
  }

  it('replaces the in-cluster PostgreSQL: no PostgreSQL object, no mention of its Service', async () => {
    const r = await render({set})
    expect(objectsOf(r, 'postgresql').map(idOf)).toEqual([])
    expect(mentions(r, 'geniro-postgresql')).toEqual([])
  })

  it('is what the API, LiteLLM and Keycloak wait for and connect to', async () => {
    const r = await render({set})
    for (const component of DATABASE_CONSUMERS) {
      const init = waitForDatabase(workload(r, component))
      expect(envValue(init, 'PGHOST'), component).toBe('db.example.internal')
      expect(envValue(init, 'PGPORT'), component).toBe('6543')
      expect(secretRefOf(init, 'PGPASSWORD'), component).toEqual({
        name: 'db-credentials',
        key: 'password',
      })
    }
    const api = apiContainer(r)
    expect(envValue(api, 'POSTGRES_HOST')).toBe('db.example.internal')
    expect(envValue(api, 'POSTGRES_PORT')).toBe('6543')
    expect(secretRefOf(api, 'POSTGRES_PASSWORD')).toEqual({name: 'db-credentials', key: 'password'})
  })
})

describe('an external Redis', () => {
  const set = {
    'redis.enabled': 'false',
    'externalRedis.enabled': 'true',
    'externalRedis.host': 'cache.example.internal',
    'externalRedis.port': '6380',
  }

  it('replaces Valkey: no Redis object and the API’s REDIS_URL names the external host', async () => {
    const r = await render({set})
    expect(objectsOf(r, 'redis').map(idOf)).toEqual([])
    expect(mentions(r, 'geniro-redis')).toEqual([])
    expect(redisUrl(r)).toBe('redis://cache.example.internal:6380')
    expect(secretRefOf(apiContainer(r), 'REDIS_PASSWORD')).toEqual({
      name: 'geniro-secrets',
      key: 'redis-password',
    })
  })

  it('with TLS uses a rediss:// URL and its own password Secret', async () => {
    const r = await render({
      set: {
        ...set,
        'externalRedis.tls': 'true',
        'externalRedis.existingSecret': 'cache-credentials',
      },
    })
    expect(redisUrl(r)).toBe('rediss://cache.example.internal:6380')
    expect(secretRefOf(apiContainer(r), 'REDIS_PASSWORD')).toEqual({
      name: 'cache-credentials',
      key: 'password',
    })
  })
})

describe.each(['helm4', 'helm3'] as const)('an external Redis database (%s)', (helm) => {
  const set = {
    'redis.enabled': 'false',
    'externalRedis.enabled': 'true',
    'externalRedis.host': 'cache.example.internal',
    'externalRedis.port': '6380',
  }
  const rawRedisUrl = (r: Render) => apiSettings(r).REDIS_URL

  it('above 0 is the path of the API’s REDIS_URL', async () => {
    const r = await render({helm, set: {...set, 'externalRedis.database': '3'}})
    expect(redisUrl(r)).toBe('redis://cache.example.internal:6380/3')
    expect(rawRedisUrl(r)).toBe('redis://:$(REDIS_PASSWORD)@cache.example.internal:6380/3')
  })

  it('0 (the default) leaves the URL without a path', async () => {
    const r = await render({helm, set: {...set, 'externalRedis.database': '0'}})
    expect(rawRedisUrl(r)).toBe('redis://:$(REDIS_PASSWORD)@cache.example.internal:6380')
  })

  it('is ignored while the in-cluster Valkey runs', async () => {
    const r = await render({helm, set: {'externalRedis.database': '5'}})
    expect(rawRedisUrl(r)).toBe('redis://:$(REDIS_PASSWORD)@geniro-redis:6379')
  })

  it('without auth gives redis://host:port/N, no empty credentials', async () => {
    const r = await render({
      helm,
      set: {...set, 'externalRedis.database': '2', 'externalRedis.auth': 'false'},
    })
    expect(rawRedisUrl(r)).toBe('redis://cache.example.internal:6380/2')
    const tls = await render({
      helm,
      set: {...set, 'externalRedis.auth': 'false', 'externalRedis.tls': 'true'},
    })
    expect(rawRedisUrl(tls)).toBe('rediss://cache.example.internal:6380')
  })
})

describe('an external Qdrant', () => {
  it('replaces the in-cluster Qdrant and is the API’s QDRANT_URL, with its own API key Secret', async () => {
    const r = await render({
      set: {
        'qdrant.enabled': 'false',
        'externalQdrant.enabled': 'true',
        'externalQdrant.url': 'https://vectors.example.internal:6333',
        'externalQdrant.existingSecret': 'vector-credentials',
      },
    })
    expect(objectsOf(r, 'qdrant').map(idOf)).toEqual([])
    expect(mentions(r, 'geniro-qdrant')).toEqual([])
    expect(apiSettings(r).QDRANT_URL).toBe('https://vectors.example.internal:6333')
    expect(secretRefOf(apiContainer(r), 'QDRANT_API_KEY')).toEqual({
      name: 'vector-credentials',
      key: 'api-key',
    })
  })
})

describe('every service external (ci/all-external-values.yaml)', () => {
  const options = {valuesFiles: ['ci/all-external-values.yaml']}

  it('runs only the API and the web app', async () => {
    const r = await render(options)
    const workloads = r.objects.filter((o) => LONG_RUNNING_KINDS.has(o.kind)).map(componentOf)
    expect(new Set(workloads)).toEqual(new Set(['api', 'web']))
  })

  it('wires the API to every external service and its own credentials Secret', async () => {
    const r = await render(options)
    const config = apiSettings(r)
    expect(redisUrl(r)).toBe('rediss://cache.example.internal:6379')
    expect(config.QDRANT_URL).toBe('https://vectors.example.internal:6333')
    expect(config.LLM_BASE_URL).toBe('https://llm.example.com')
    expect(config.KEYCLOAK_URL).toBe('https://auth.example.com')
    // sslMode require: encrypted without a certificate check, which node-postgres takes only as
    // sslmode=no-verify in a connection URL (ssl: true would verify).
    expect(config.POSTGRES_SSL).toBe('false')
    expect(config.POSTGRES_URL).toBe(
      'postgresql://geniro_app:$(POSTGRES_PASSWORD)@db.example.internal:5432/geniro?sslmode=no-verify',
    )
    const api = apiContainer(r)
    expect(envValue(api, 'POSTGRES_HOST')).toBe('db.example.internal')
    expect(envValue(api, 'POSTGRES_USERNAME')).toBe('geniro_app')
    expect(secretRefOf(api, 'POSTGRES_PASSWORD')).toEqual({name: 'geniro-db', key: 'password'})
    expect(secretRefOf(api, 'REDIS_PASSWORD')).toEqual({name: 'geniro-cache', key: 'password'})
    expect(secretRefOf(api, 'QDRANT_API_KEY')).toEqual({name: 'geniro-vectors', key: 'api-key'})
    expect(secretRefOf(api, 'LITELLM_MASTER_KEY')).toEqual({name: 'geniro-llm', key: 'master-key'})
    expect(envValue(waitForDatabase(workload(r, 'api')), 'PGSSLMODE')).toBe('require')
  })
})

describe('bridge mode (ci/bridge-values.yaml)', () => {
  const options = {valuesFiles: ['ci/bridge-values.yaml']}
  const OWN_DATABASES = {
    api: 'geniro_k8s',
    litellm: 'litellm_k8s',
    keycloak: 'keycloak_k8s',
  }
  const BRIDGE_SECRET = {name: 'geniro-dev-bridge-postgresql', key: 'password'}

  it('runs no PostgreSQL of its own', async () => {
    const r = await render(options)
    expect(objectsOf(r, 'postgresql').map(idOf)).toEqual([])
    expect(mentions(r, 'geniro-postgresql')).toEqual([])
  })

  for (const component of DATABASE_CONSUMERS) {
    it(`connects ${component} to its own database at 172.18.0.1:5439 with the bridge Secret's password`, async () => {
      const r = await render(options)
      const obj = workload(r, component)
      const init = waitForDatabase(obj)
      expect(envValue(init, 'PGHOST')).toBe('172.18.0.1')
      expect(envValue(init, 'PGPORT')).toBe('5439')
      expect(envValue(init, 'PGUSER')).toBe('geniro_k8s')
      expect(envValue(init, 'PGDATABASE')).toBe(OWN_DATABASES[component])
      expect(secretRefOf(init, 'PGPASSWORD')).toEqual(BRIDGE_SECRET)

      // The main container: however it spells its database settings, they are these.
      const main = mainContainer(obj)
      const values = (main.env ?? []).flatMap((e) => e.value ?? [])
      expect(
        values.some((v) => v.includes('172.18.0.1')),
        `${component} env names the host`,
      ).toBe(true)
      expect(
        values.some((v) => v.includes('5439')),
        `${component} env names the port`,
      ).toBe(true)
      expect(
        values.some(
          (v) => v === OWN_DATABASES[component] || v.includes(`/${OWN_DATABASES[component]}`),
        ),
        `${component} env names its database ${OWN_DATABASES[component]}`,
      ).toBe(true)
      const refs = (main.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? [])
      expect(refs, `${component} reads the password from the bridge Secret`).toContainEqual(
        BRIDGE_SECRET,
      )
      expect(refs.filter((ref) => ref.key === 'postgres-password')).toEqual([])
    })
  }

  it('gives the API the POSTGRES_* settings of the bridge', async () => {
    const r = await render(options)
    const api = apiContainer(r)
    expect(envValue(api, 'POSTGRES_HOST')).toBe('172.18.0.1')
    expect(envValue(api, 'POSTGRES_PORT')).toBe('5439')
    expect(envValue(api, 'POSTGRES_USERNAME')).toBe('geniro_k8s')
    expect(envValue(api, 'POSTGRES_DATABASE')).toBe('geniro_k8s')
    expect(secretRefOf(api, 'POSTGRES_PASSWORD')).toEqual(BRIDGE_SECRET)
  })

  it('never reads a database password from the chart’s own Secret', async () => {
    const r = await render(options)
    const refs = r.objects.flatMap((o) => {
      const pod = podTemplateOf(o)
      if (!pod) return []
      return containersOfPod(pod).flatMap(({container}) =>
        (container.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? []),
      )
    })
    expect(refs.filter((ref) => ref.key === 'postgres-password')).toEqual([])
  })
})

describe('bridge mode sharing the Compose Redis (ci/bridge-values.yaml + --bridge-services redis)', () => {
  const options = {
    valuesFiles: ['ci/bridge-values.yaml'],
    values: {
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
    },
  }

  it('runs no Redis of its own and gives the API database 1 of the Compose Redis', async () => {
    const r = await render(options)
    expect(objectsOf(r, 'redis').map(idOf)).toEqual([])
    expect(mentions(r, 'geniro-redis')).toEqual([])
    expect(redisUrl(r)).toBe('redis://172.18.0.1:6380/1')
    expect(secretRefOf(apiContainer(r), 'REDIS_PASSWORD')).toEqual({
      name: 'geniro-dev-bridge-redis',
      key: 'password',
    })
  })

  it('keeps Qdrant in the cluster', async () => {
    const r = await render(options)
    expect(objectsOf(r, 'qdrant').length).toBeGreaterThan(0)
    expect(apiSettings(r).QDRANT_URL).toBe('http://geniro-qdrant:6333')
  })
})

describe.each([
  {release: 'geniro', namespace: 'default'},
  {release: 'geniro', namespace: 'team-a'},
  {release: 'other', namespace: 'default'},
  {release: 'other', namespace: 'team-a'},
])(
  'release $release in namespace $namespace, everything on (ci/test-values.yaml)',
  ({release, namespace}) => {
    const fullname = fullnameFor(release)
    const options = {release, namespace, valuesFiles: ['ci/test-values.yaml']}

    it(`names every component's workload, Service and ConfigMap ${fullname}-<component>`, async () => {
      const r = await render(options)
      expect(workload(r, 'api').metadata.name).toBe(`${fullname}-api`)
      for (const obj of r.objects) {
        const component = componentOf(obj)
        if (
          !component ||
          !['Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'ConfigMap'].includes(obj.kind)
        )
          continue
        expect(obj.metadata.name, idOf(obj)).toMatch(
          new RegExp(`^${fullname}-${component}(-[a-z0-9-]+)?$`),
        )
      }
      for (const component of [...DEFAULT_ON, ...DAYTONA]) {
        expect(workload(r, component).metadata.name, component).toBe(`${fullname}-${component}`)
      }
    })

    it(`puts every namespaced object in ${namespace}`, async () => {
      const r = await render(options)
      const misplaced = r.objects
        .filter((o) => isNamespaced(o) && o.metadata.namespace !== namespace)
        .map((o) => `${idOf(o)} in ${o.metadata.namespace ?? '(no namespace)'}`)
      expect(misplaced).toEqual([])
    })

    it('labels every object with the release as its instance', async () => {
      const r = await render(options)
      const wrong = r.objects.filter(
        (o) => o.metadata.labels?.['app.kubernetes.io/instance'] !== release,
      )
      expect(wrong.map(idOf)).toEqual([])
    })

    it('points the API at the release’s own Services', async () => {
      const r = await render(options)
      const config = apiSettings(r)
      expect(redisUrl(r)).toBe(`redis://${fullname}-redis:6379`)
      expect(config.QDRANT_URL).toBe(`http://${fullname}-qdrant:6333`)
      expect(config.LLM_BASE_URL).toBe(`http://${fullname}-litellm:4000`)
      // Keycloak is known by its public URL (keycloak.hostname): the issuer of the tokens.
      expect(config.KEYCLOAK_URL).toBe('https://auth.geniro.test')
      expect(config.DAYTONA_API_URL).toBe(`http://${fullname}-daytona-api:3986/api`)
      const api = mainContainer(workload(r, 'api'))
      expect(envValue(api, 'POSTGRES_HOST')).toBe(`${fullname}-postgresql`)
      expect(secretRefOf(api, 'POSTGRES_PASSWORD')).toEqual({
        name: `${fullname}-secrets`,
        key: 'postgres-password',
      })
      for (const service of [
        'redis',
        'qdrant',
        'litellm',
        'keycloak',
        'postgresql',
        'daytona-api',
      ]) {
        expect(findObject(r.objects, 'Service', `${fullname}-${service}`), service).toBeDefined()
      }
    })

    if (release !== 'geniro') {
      it('never uses the names of a release called geniro', async () => {
        const r = await render(options)
        const foreign = r.objects.filter((o) => !o.metadata.name.startsWith(`${fullname}`))
        expect(foreign.map(idOf)).toEqual([])
        expect(findObject(r.objects, 'Deployment', 'geniro-api')).toBeUndefined()
      })
    }
  },
)

describe('Kubernetes versions', () => {
  it.each(['1.27.0', '1.34.0'])('everything on renders for Kubernetes %s', async (kubeVersion) => {
    const r = await render({valuesFiles: ['ci/test-values.yaml'], kubeVersion})
    expect(workloadsOf(r.objects, 'api').map(idOf)).toHaveLength(1)
  })
})
