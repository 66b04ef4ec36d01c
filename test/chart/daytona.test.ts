/**
 * Daytona (api, runner, proxy) at v0.149.0: the settings each process reads at that version,
 * the init containers its API needs, and the values the chart refuses because Daytona would
 * crash on them or silently ignore them.
 */
import {describe, expect, it} from 'vitest'
import {
  type Container,
  containerSettings,
  envByName,
  findObject,
  type HelmName,
  type K8sObject,
  podTemplateOf,
  type Render,
  renderChart,
  renderFailure,
  type RenderOptions,
  secretRefOf,
  workloadsOf,
} from '../support/helm.js'

const VERSION = 'v0.149.0'
const CI = {valuesFiles: ['ci/daytona-values.yaml']}
const REGISTRY_NAMES = ['URL', 'ADMIN', 'PASSWORD', 'PROJECT_ID'].flatMap((field) =>
  ['TRANSIENT', 'INTERNAL'].map((kind) => `${kind}_REGISTRY_${field}`),
)

const render = (options: RenderOptions = {}) =>
  renderChart({...CI, ...options, valuesFiles: [...CI.valuesFiles, ...(options.valuesFiles ?? [])]})

function workload(r: Render, component: string): K8sObject {
  const found = workloadsOf(r.objects, component)
  expect(found, `one workload of ${component}`).toHaveLength(1)
  return found[0]!
}

function container(r: Render, component: string): Container {
  const found = podTemplateOf(workload(r, component))?.spec.containers.find(
    (c) => c.name === component,
  )
  expect(found, `container ${component}`).toBeDefined()
  return found!
}

function initContainer(r: Render, component: string, name: string): Container {
  const found = podTemplateOf(workload(r, component))?.spec.initContainers?.find(
    (c) => c.name === name,
  )
  expect(found, `init container ${name} of ${component}`).toBeDefined()
  return found!
}

/** The Daytona API's literal settings: its ConfigMap overlaid by its literal env. */
function apiSettings(r: Render): Record<string, string> {
  return containerSettings(r.objects, container(r, 'daytona-api'))
}

/** Every variable name a container gets: literal env, Secret refs and its ConfigMaps' keys. */
function envNames(r: Render, c: Container): Set<string> {
  const names = new Set((c.env ?? []).map((e) => e.name))
  for (const from of c.envFrom ?? []) {
    const configMap = findObject(r.objects, 'ConfigMap', from.configMapRef?.name ?? '')
    for (const key of Object.keys((configMap?.data ?? {}) as object)) names.add(key)
  }
  return names
}

function secretData(r: Render): Record<string, string> {
  const secret = r.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'geniro-secrets')
  expect(secret, 'the chart Secret').toBeDefined()
  return (secret?.stringData ?? {}) as Record<string, string>
}

describe('Daytona v0.149.0 (ci/daytona-values.yaml)', () => {
  it('runs the api, runner and proxy images at v0.149.0', async () => {
    const r = await render()
    for (const name of ['api', 'runner', 'proxy']) {
      expect(container(r, `daytona-${name}`).image).toBe(
        `docker.io/daytonaio/daytona-${name}:${VERSION}`,
      )
    }
  })

  it('gives the Daytona API every setting its boot and /api/config need', async () => {
    const r = await render()
    const s = apiSettings(r)
    expect(s).toMatchObject({
      NODE_ENV: 'production',
      RUN_MIGRATIONS: 'true',
      PORT: '3986',
      DB_HOST: 'geniro-postgresql',
      DB_DATABASE: 'daytona',
      DB_TLS_ENABLED: 'false',
      REDIS_HOST: 'geniro-redis',
      REDIS_PORT: '6379',
      REDIS_TLS: 'false',
      OIDC_ISSUER_BASE_URL: 'http://geniro-keycloak:80/realms/geniro',
      PUBLIC_OIDC_DOMAIN: 'http://localhost:18080/realms/geniro',
      OIDC_CLIENT_ID: 'daytona',
      OIDC_AUDIENCE: 'daytona',
      DEFAULT_SNAPSHOT: 'daytonaio/sandbox:0.5.0-slim',
      PROXY_PROTOCOL: 'http',
      PROXY_TOOLBOX_BASE_URL: 'http://geniro-daytona-proxy:80',
      DEFAULT_RUNNER_NAME: 'default',
      DEFAULT_RUNNER_API_VERSION: '2',
    })
    for (const name of ['DASHBOARD_URL', 'ENVIRONMENT', 'PROXY_DOMAIN', 'PROXY_TEMPLATE_URL'])
      expect(s[name], name).toBeTruthy()
    expect(s.PROXY_TEMPLATE_URL).toContain('{{PORT}}-{{sandboxId}}')
    // Only the v0 runner API reads these.
    for (const name of [
      'DEFAULT_RUNNER_DOMAIN',
      'DEFAULT_RUNNER_API_URL',
      'DEFAULT_RUNNER_PROXY_URL',
    ])
      expect(envNames(r, container(r, 'daytona-api')), name).not.toContain(name)
  })

  it('sets all eight registry variables, empty by default ("no registry")', async () => {
    const s = apiSettings(await render())
    for (const name of REGISTRY_NAMES) expect(s[name], name).toBe('')
  })

  it('reads every Daytona key from its own Secret key, the runner token included', async () => {
    const r = await render()
    const api = container(r, 'daytona-api')
    const ref = (key: string) => ({name: 'geniro-secrets', key})
    expect(secretRefOf(api, 'ADMIN_API_KEY')).toEqual(ref('daytona-api-key'))
    expect(secretRefOf(api, 'PROXY_API_KEY')).toEqual(ref('daytona-proxy-api-key'))
    expect(secretRefOf(api, 'SSH_GATEWAY_API_KEY')).toEqual(ref('daytona-ssh-gateway-api-key'))
    expect(secretRefOf(api, 'ENCRYPTION_KEY')).toEqual(ref('daytona-encryption-key'))
    expect(secretRefOf(api, 'ENCRYPTION_SALT')).toEqual(ref('daytona-encryption-salt'))
    expect(secretRefOf(api, 'DEFAULT_RUNNER_API_KEY')).toEqual(ref('daytona-runner-token'))
    expect(secretRefOf(api, 'REDIS_PASSWORD')).toEqual(ref('redis-password'))
    expect(secretRefOf(container(r, 'daytona-runner'), 'DAYTONA_RUNNER_TOKEN')).toEqual(
      ref('daytona-runner-token'),
    )
    expect(secretRefOf(container(r, 'daytona-proxy'), 'PROXY_API_KEY')).toEqual(
      ref('daytona-proxy-api-key'),
    )
    const data = secretData(r)
    const keys = [
      'daytona-api-key',
      'daytona-proxy-api-key',
      'daytona-ssh-gateway-api-key',
      'daytona-runner-token',
    ]
    for (const key of keys) expect(data[key], key).toMatch(/CHANGE_ME/)
    expect(new Set(keys.map((key) => data[key])).size, 'four distinct values').toBe(4)
    expect(data).not.toHaveProperty('daytona-registry-password')
  })

  it('keeps the API read-only and non-root, with a writable copy of the dashboard', async () => {
    const r = await render()
    const api = container(r, 'daytona-api')
    expect(api.securityContext).toMatchObject({readOnlyRootFilesystem: true, runAsNonRoot: true})
    const copy = initContainer(r, 'daytona-api', 'copy-dashboard')
    expect(copy.image).toBe(api.image)
    expect(copy.command).toEqual(['cp', '-R', '/daytona/dist/apps/dashboard/.', '/dashboard/'])
    const volume = copy.volumeMounts?.find((m) => m.mountPath === '/dashboard')?.name
    expect(volume).toBeDefined()
    expect(api.volumeMounts).toContainEqual({
      name: volume,
      mountPath: '/daytona/dist/apps/dashboard',
    })
    const volumes = podTemplateOf(workload(r, 'daytona-api'))?.spec.volumes ?? []
    expect(volumes.find((v) => v.name === volume)?.emptyDir).toBeDefined()
  })

  it('holds the API back until the OIDC discovery document answers', async () => {
    const r = await render()
    const api = container(r, 'daytona-api')
    const wait = initContainer(r, 'daytona-api', 'wait-for-oidc')
    expect(wait.image).toBe(api.image)
    expect(wait.command?.join(' ')).toContain(
      'curl -fs -o /dev/null --max-time 5 "$OIDC_ISSUER_BASE_URL/.well-known/openid-configuration"',
    )
    expect(envByName(wait).get('OIDC_ISSUER_BASE_URL')?.value).toBe(
      apiSettings(r).OIDC_ISSUER_BASE_URL,
    )
    expect(wait.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: {drop: ['ALL']},
    })
    expect(wait.resources?.limits).toEqual({cpu: '100m', memory: '64Mi'})
  })

  it('probes the API on /api/health, the runner on / and the proxy on /health', async () => {
    const r = await render()
    const api = container(r, 'daytona-api')
    for (const probe of [api.startupProbe, api.livenessProbe, api.readinessProbe])
      expect(probe).toMatchObject({httpGet: {path: '/api/health', port: 'http'}})
    const runner = container(r, 'daytona-runner')
    for (const probe of [runner.livenessProbe, runner.readinessProbe])
      expect(probe).toMatchObject({httpGet: {path: '/', port: 'http'}})
    const proxy = container(r, 'daytona-proxy')
    for (const probe of [proxy.livenessProbe, proxy.readinessProbe])
      expect(probe).toMatchObject({httpGet: {path: '/health', port: 'http'}})
  })

  it('starts the runner once its own dockerd answers, with the v0.149.0 settings', async () => {
    const r = await render()
    const runner = container(r, 'daytona-runner')
    const [shell, flag, script] = runner.command ?? []
    expect([shell, flag]).toEqual(['sh', '-c'])
    expect(script).toMatch(/^\/usr\/local\/bin\/dockerd-entrypoint\.sh & /)
    expect(script).toContain('until docker info')
    expect(script).toMatch(/exec \/usr\/local\/bin\/daytona-runner$/)
    expect(runner.securityContext?.privileged).toBe(true)
    const env = envByName(runner)
    expect(env.get('DAYTONA_API_URL')?.value).toBe('http://geniro-daytona-api:3986/api')
    expect(env.get('API_PORT')?.value).toBe('8080')
    expect(env.get('RUNNER_DOMAIN')?.value).toBe('geniro-daytona-runner')
    expect(env.get('ENVIRONMENT')?.value).toBe('development')
    expect(env.get('RESOURCE_LIMITS_DISABLED')?.value).toBe('true')
  })

  it('gives the proxy what v0.149.0 reads, and no PROXY_DOMAIN or OIDC client settings', async () => {
    const r = await render()
    const proxy = container(r, 'daytona-proxy')
    const env = envByName(proxy)
    expect(env.get('PROXY_PORT')?.value).toBe('4000')
    expect(env.get('PROXY_PROTOCOL')?.value).toBe('http')
    expect(env.get('DAYTONA_API_URL')?.value).toBe('http://geniro-daytona-api:3986/api')
    expect(env.get('REDIS_HOST')?.value).toBe('geniro-redis')
    expect(secretRefOf(proxy, 'REDIS_PASSWORD')).toEqual({
      name: 'geniro-secrets',
      key: 'redis-password',
    })
    for (const name of ['PROXY_DOMAIN', 'OIDC_CLIENT_ID', 'OIDC_AUDIENCE'])
      expect(env.has(name), name).toBe(false)
  })

  it('sends no Redis password to an external Redis without auth', async () => {
    const r = await render({
      set: {
        'redis.enabled': 'false',
        'externalRedis.enabled': 'true',
        'externalRedis.host': 'cache.example.internal',
        'externalRedis.auth': 'false',
        'externalRedis.tls': 'true',
      },
    })
    expect(apiSettings(r).REDIS_TLS).toBe('true')
    for (const component of ['daytona-api', 'daytona-proxy'])
      expect(envByName(container(r, component)).has('REDIS_PASSWORD'), component).toBe(false)
    expect(envByName(container(r, 'daytona-proxy')).get('REDIS_TLS')?.value).toBe('true')
  })

  it('points both registries at daytona.registry, its password from the Secret', async () => {
    const r = await render({
      set: {
        'daytona.registry.url': 'http://registry.example:5000',
        'daytona.registry.admin': 'admin',
        'daytona.registry.projectId': 'geniro',
        'secrets.daytonaRegistryPassword': 'registry-secret',
      },
    })
    const s = apiSettings(r)
    for (const kind of ['TRANSIENT', 'INTERNAL']) {
      expect(s[`${kind}_REGISTRY_URL`]).toBe('http://registry.example:5000')
      expect(s[`${kind}_REGISTRY_ADMIN`]).toBe('admin')
      expect(s[`${kind}_REGISTRY_PROJECT_ID`]).toBe('geniro')
      expect(s).not.toHaveProperty(`${kind}_REGISTRY_PASSWORD`)
      expect(secretRefOf(container(r, 'daytona-api'), `${kind}_REGISTRY_PASSWORD`)).toEqual({
        name: 'geniro-secrets',
        key: 'daytona-registry-password',
      })
    }
    expect(secretData(r)['daytona-registry-password']).toBe('registry-secret')
  })
})

describe('Daytona values the chart refuses', () => {
  const refusals: Array<{name: string; set: Record<string, string>; mentions: string[]}> = [
    {
      name: 'the removed daytona.runner.tokenKey',
      set: {'daytona.runner.tokenKey': 'daytona-proxy-api-key'},
      mentions: ['daytona.runner.tokenKey', 'secrets.daytonaRunnerToken'],
    },
    {
      name: 'a default snapshot tagged latest',
      set: {'daytona.enabled': 'true', 'daytona.defaultSnapshot': 'daytonaio/sandbox:latest'},
      mentions: ['daytona.defaultSnapshot', 'latest'],
    },
    {
      name: 'a default snapshot without a tag',
      set: {'daytona.enabled': 'true', 'daytona.defaultSnapshot': 'daytonaio/sandbox'},
      mentions: ['daytona.defaultSnapshot'],
    },
    {
      name: 'a registry without a user and project',
      set: {'daytona.enabled': 'true', 'daytona.registry.url': 'http://registry:5000'},
      mentions: ['daytona.registry.admin', 'daytona.registry.projectId'],
    },
    {
      name: 'a registry without a password',
      set: {
        'daytona.enabled': 'true',
        'daytona.registry.url': 'http://registry:5000',
        'daytona.registry.admin': 'admin',
        'daytona.registry.projectId': 'geniro',
      },
      mentions: ['secrets.daytonaRegistryPassword'],
    },
    {
      name: 'a runner token equal to the proxy key',
      set: {'daytona.enabled': 'true', 'secrets.daytonaRunnerToken': 'CHANGE_ME_daytona_proxy'},
      mentions: ['secrets.daytonaProxyApiKey', 'secrets.daytonaRunnerToken'],
    },
  ]

  for (const helm of ['helm4', 'helm3'] as HelmName[]) {
    for (const {name, set, mentions} of refusals) {
      it(`${helm}: ${name}`, async () => {
        const stderr = await renderFailure({helm, set})
        expect(stderr).toMatch(/values: /)
        for (const mention of mentions) expect(stderr).toContain(mention)
      })
    }
  }
})
