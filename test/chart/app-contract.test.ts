/**
 * The chart runs the real application: every workload of every render (the defaults, every
 * ci/ and examples/ file, geniro-dev's local-development values, and the options the schema
 * allows) is held against helm/geniro/tests/app-contract.yaml, the facts each pinned image's
 * own source states. The checker itself is shown to catch each defect the contract exists for.
 */
import {fileURLToPath} from 'node:url'
import {parse} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'
import {contractViolations, readContract} from '../support/app-contract.js'
import {
  chartMetadata,
  chartValuesFiles,
  configMapData,
  type Container,
  containersOfPod,
  effectiveValues,
  findObject,
  type K8sObject,
  podTemplateOf,
  renderChart,
  type RenderOptions,
  valueAt,
} from '../support/helm.js'

const CONTRACT = readContract()
const ISOLATED_VALUES = fileURLToPath(
  new URL('../../templates/isolated-values.yaml', import.meta.url),
)

const RENDERS: Array<{name: string; options: RenderOptions}> = [
  {name: 'the default values', options: {}},
  ...chartValuesFiles().map((file) => ({name: file, options: {valuesFiles: [file]}})),
  {name: "geniro-dev's local-development values", options: {valuesFiles: [ISOLATED_VALUES]}},
  {
    name: 'Zitadel as the authentication provider',
    options: {
      values: {
        api: {
          config: {
            authProvider: 'zitadel',
            zitadel: {url: 'https://zitadel.example.com', clientId: '3141'},
          },
        },
      },
    },
  },
  {
    name: 'an external PostgreSQL over TLS without certificate checks',
    options: {
      valuesFiles: ['ci/all-external-values.yaml'],
      set: {'externalPostgresql.sslMode': 'require'},
    },
  },
  {
    name: 'an external PostgreSQL verified against a private CA',
    options: {
      valuesFiles: ['ci/all-external-values.yaml'],
      set: {'externalPostgresql.sslMode': 'verify-full', 'externalPostgresql.caSecret': 'pg-ca'},
    },
  },
]

/** The extraEnv names a render's values add to each component (users' own, not the chart's). */
function extraEnvNamesOf(options: RenderOptions) {
  const values = effectiveValues(options.valuesFiles ?? [], options.values)
  return (component: string) => {
    const path = component.startsWith('daytona-')
      ? `daytona.${component.slice('daytona-'.length)}.extraEnv`
      : `${component}.extraEnv`
    const extra = valueAt(values, path)
    return new Set(Array.isArray(extra) ? extra.map((e: {name: string}) => e.name) : [])
  }
}

beforeAll(async () => {
  await Promise.all(RENDERS.map(({options}) => renderChart(options)))
})

describe('every workload matches what its application reads, runs and serves', () => {
  for (const {name, options} of RENDERS) {
    it(name, async () => {
      const {objects} = await renderChart(options)
      expect(contractViolations(objects, CONTRACT, extraEnvNamesOf(options))).toEqual([])
    })
  }
})

describe('the contract pins what values.yaml and Chart.yaml install', () => {
  const values = effectiveValues()
  const pinned = Object.entries(CONTRACT.components)
  // The values block a component's image comes from (postgresql-init runs postgresql's).
  const imageBlock = (component: string) => {
    const base = component.replace(/-init$/, '')
    const path = base.startsWith('daytona-')
      ? `daytona.${base.slice('daytona-'.length)}.image`
      : `${base === 'test' ? 'tests' : base}.image`
    return valueAt(values, path) as {
      registry: string
      repository: string
      tag: string
    }
  }

  for (const [component, spec] of pinned) {
    it(`${component}: values.yaml's default image is the contract's ${spec.image.repository}:${spec.image.tag}`, () => {
      const image = imageBlock(component)
      expect({registry: image.registry, repository: image.repository, tag: image.tag}).toEqual({
        registry: spec.image.registry,
        repository: spec.image.repository,
        tag: spec.image.tag,
      })
    })
  }

  it('every image of the chart has a contract entry', () => {
    const annotated = parse(
      chartMetadata().annotations?.['artifacthub.io/images'] ?? '[]',
    ) as Array<{image: string}>
    const contracted = new Set(
      pinned.map(([, c]) => `${c.image.registry}/${c.image.repository}:${c.image.tag}`),
    )
    expect(annotated.map((i) => i.image).filter((image) => !contracted.has(image))).toEqual([])
  })

  it('every fact carries its provenance', () => {
    const missing: string[] = []
    for (const [component, spec] of pinned) {
      if (!spec.image.provenance) missing.push(`${component}.image`)
      if (spec.command && !spec.command.provenance) missing.push(`${component}.command`)
      if (!spec.probes.provenance) missing.push(`${component}.probes`)
      for (const port of spec.ports)
        if (!port.provenance) missing.push(`${component}.ports.${port.port}`)
      for (const [env, rule] of Object.entries(spec.env))
        if (!rule.provenance) missing.push(`${component}.env.${env}`)
    }
    expect(missing).toEqual([])
  })

  it('a moving tag is allowed only where the publisher ships no versioned one, and says why', () => {
    // A floating name, or a placeholder version that every release re-pushes.
    const moving = pinned.filter(([, c]) =>
      /^(latest|main|stable|edge|main-stable)$|^0\.0\.0-/.test(c.image.tag),
    )
    expect(moving.map(([component, c]) => [component, Boolean(c.image.floating)])).toEqual(
      moving.map(([component]) => [component, true]),
    )
  })
})

describe('the local-development values give a working first run', () => {
  const options: RenderOptions = {valuesFiles: [ISOLATED_VALUES]}

  it('LiteLLM serves every model the API asks for by default', async () => {
    const {objects} = await renderChart(options)
    const config = parse(configMapData(objects, 'geniro-litellm')['config.yaml']!) as {
      model_list: Array<{model_name: string}>
    }
    const served = config.model_list.map((m) => m.model_name)
    // The API's defaults (geniro-io/geniro@@geniro/api@1.17.2:apps/api/src/environments/environment.prod.ts:47-51,67).
    expect(served).toEqual(
      expect.arrayContaining([
        'gpt-5.2',
        'gpt-5-mini',
        'openrouter/minimax-m2.5',
        'text-embedding-3-small',
      ]),
    )
  })

  it('Keycloak imports a user whose password comes from the chart Secret, never from values', async () => {
    const {objects} = await renderChart(options)
    const realm = JSON.parse(configMapData(objects, 'geniro-keycloak')['geniro-realm.json']!) as {
      users: Array<{username: string; credentials: Array<{value: string}>}>
    }
    expect(realm.users.map((u) => u.username)).toEqual(['geniro'])
    expect(realm.users[0]!.credentials[0]!.value).toBe('${GENIRO_SEED_USER_PASSWORD}')
    const keycloak = mainContainer(objects, 'Deployment', 'geniro-keycloak')
    expect(
      keycloak.env?.find((e) => e.name === 'GENIRO_SEED_USER_PASSWORD')?.valueFrom?.secretKeyRef,
    ).toEqual({
      name: 'geniro-secrets',
      key: 'keycloak-seed-user-password',
    })
    const secret = findObject(objects, 'Secret', 'geniro-secrets') as K8sObject & {
      stringData: Record<string, string>
    }
    expect(secret.stringData['keycloak-seed-user-password']).toMatch(/^[A-Za-z0-9]{24}$/)
  })

  it('production defaults seed no user', async () => {
    const {objects} = await renderChart({})
    const realm = JSON.parse(configMapData(objects, 'geniro-keycloak')['geniro-realm.json']!) as {
      users?: unknown[]
    }
    expect(realm.users).toBeUndefined()
    const secret = findObject(objects, 'Secret', 'geniro-secrets') as K8sObject & {
      stringData: Record<string, string>
    }
    expect(Object.keys(secret.stringData)).not.toContain('keycloak-seed-user-password')
  })
})

describe('the checker catches each defect the contract exists for', () => {
  let base: K8sObject[]
  beforeAll(async () => {
    base = (await renderChart({})).objects
  })

  function mutated(change: (objects: K8sObject[]) => void): string[] {
    const objects = structuredClone(base)
    change(objects)
    return contractViolations(objects, CONTRACT)
  }

  it('a migration step that calls a binary the API image does not have (mikro-orm)', () => {
    const breaches = mutated((objects) => {
      const pod = podTemplateOf(findObject(objects, 'Deployment', 'geniro-api')!)!
      pod.spec.initContainers!.push({
        name: 'migrate',
        image: 'docker.io/razumru/geniro-api:1.17.2-latest',
        command: [
          'sh',
          '-c',
          'cd /usr/src/app/apps/api && exec ./node_modules/.bin/mikro-orm migration:up',
        ],
      })
    })
    expect(breaches).toEqual([expect.stringContaining('init container migrate: runs ["sh","-c"')])
  })

  it('the API started through pnpm and corepack (the image CMD)', () => {
    const breaches = mutated((objects) => {
      const api = mainContainer(objects, 'Deployment', 'geniro-api')
      api.command = ['sh', '-c', 'pnpm run --filter "*api" start']
    })
    expect(breaches).toEqual([
      expect.stringContaining('is not the api image\'s ["node","dist/main.js"]'),
    ])
  })

  it('a variable the app does not read, and a required one missing', () => {
    const breaches = mutated((objects) => {
      const data = configMapData(objects, 'geniro-api')
      data.REDIS_PASSWORD_FILE = '/x'
      delete data.CORS_ALLOWED_ORIGINS
    })
    expect(breaches).toEqual(
      expect.arrayContaining([
        expect.stringContaining('sets REDIS_PASSWORD_FILE, which the app does not read'),
        expect.stringContaining('does not set CORS_ALLOWED_ORIGINS'),
      ]),
    )
  })

  it('Zitadel chosen without its settings', () => {
    const breaches = mutated((objects) => {
      configMapData(objects, 'geniro-api').AUTH_PROVIDER = 'zitadel'
    })
    expect(breaches).toEqual(
      expect.arrayContaining([
        expect.stringContaining('does not set ZITADEL_URL'),
        expect.stringContaining('does not set ZITADEL_ISSUER'),
      ]),
    )
  })

  it('a value in the wrong format (POSTGRES_SSL as a libpq mode)', () => {
    const breaches = mutated((objects) => {
      const api = mainContainer(objects, 'Deployment', 'geniro-api')
      api.env!.find((e) => e.name === 'POSTGRES_SSL')!.value = 'require'
    })
    expect(breaches).toEqual([
      expect.stringContaining('POSTGRES_SSL="require" is not one of true, false'),
    ])
  })

  it('a probe on a path the app does not serve, and a port it does not listen on', () => {
    const breaches = mutated((objects) => {
      const web = mainContainer(objects, 'Deployment', 'geniro-web')
      ;(web.livenessProbe!.httpGet as {path: string}).path = '/healthz'
      web.ports![0]!.containerPort = 8080
    })
    expect(breaches).toEqual(
      expect.arrayContaining([
        expect.stringContaining('livenessProbe GET /healthz is not a health path'),
        expect.stringContaining("container ports 8080 are not the app's 4173"),
      ]),
    )
  })

  it('a workload of a component the contract does not know', () => {
    const breaches = mutated((objects) => {
      const web = findObject(objects, 'Deployment', 'geniro-web')!
      web.metadata.labels!['app.kubernetes.io/component'] = 'frontend'
    })
    expect(breaches).toEqual([expect.stringContaining('component frontend has no contract')])
  })
})

describe('the contract checks against the app sources it cites', () => {
  it('names each component after a label the chart renders', async () => {
    const {objects} = await renderChart({valuesFiles: ['ci/daytona-values.yaml']})
    const components = new Set(
      objects.map((o) => o.metadata.labels?.['app.kubernetes.io/component']),
    )
    expect(Object.keys(CONTRACT.components).filter((c) => !components.has(c))).toEqual([])
  })
})

function mainContainer(objects: K8sObject[], kind: string, name: string): Container {
  const object = findObject(objects, kind, name)
  const found = object && containersOfPod(podTemplateOf(object)!).find((c) => !c.init)
  if (!found) throw new Error(`${kind}/${name} has no container`)
  return found.container
}
