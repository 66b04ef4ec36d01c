/**
 * Runtime correctness that `helm template` alone does not show: how Keycloak, the web app
 * and the API are wired so that tokens, URLs and passwords work both through geniro-dev's
 * port-forwards and behind an ingress. Plus the values schema catching typical mistakes.
 */
import {describe, expect, it} from 'vitest'
import {
  configMapData,
  type Container,
  containersOfPod,
  envByName,
  findObject,
  type K8sObject,
  podTemplateOf,
  renderChart,
  renderFailure,
  type RenderOptions,
} from '../support/helm.js'

async function workload(options: RenderOptions, kind: string, name: string) {
  const render = await renderChart(options)
  const object = findObject(render.objects, kind, name)
  if (!object) throw new Error(`${kind}/${name} not rendered`)
  return {render, object, pod: podTemplateOf(object)!}
}

function container(object: K8sObject, name: string, init = false): Container {
  const found = containersOfPod(podTemplateOf(object)!).find(
    (c) => c.container.name === name && c.init === init,
  )
  if (!found) throw new Error(`container ${name} not found in ${object.metadata?.name}`)
  return found.container
}

function env(c: Container, name: string): string | undefined {
  return envByName(c).get(name)?.value
}

const INGRESS: RenderOptions = {valuesFiles: ['examples/quickstart-values.yaml']}

describe('Keycloak 26', () => {
  it('enables health and plain HTTP, and answers probes on the management port 9000', async () => {
    const {object} = await workload({}, 'Deployment', 'geniro-keycloak')
    const keycloak = container(object, 'keycloak')
    expect(env(keycloak, 'KC_HEALTH_ENABLED')).toBe('true')
    expect(env(keycloak, 'KC_HTTP_ENABLED')).toBe('true')
    expect(keycloak.ports?.map((p) => [p.name, p.containerPort])).toContainEqual([
      'management',
      9000,
    ])
    expect(keycloak.livenessProbe?.httpGet).toMatchObject({
      path: '/health/live',
      port: 'management',
    })
    expect(keycloak.readinessProbe?.httpGet).toMatchObject({
      path: '/health/ready',
      port: 'management',
    })
  })

  it('through the forwards: hostname http://localhost:18080, dynamic backchannel, web redirect URIs', async () => {
    const {render, object} = await workload({}, 'Deployment', 'geniro-keycloak')
    const keycloak = container(object, 'keycloak')
    expect(env(keycloak, 'KC_HOSTNAME')).toBe('http://localhost:18080')
    expect(env(keycloak, 'KC_HOSTNAME_BACKCHANNEL_DYNAMIC')).toBe('true')
    const realm = JSON.parse(configMapData(render.objects, 'geniro-keycloak')['geniro-realm.json']!)
    const client = realm.clients.find((c: {clientId: string}) => c.clientId === 'geniro')
    expect(realm.realm).toBe('geniro')
    expect(client).toMatchObject({publicClient: true, standardFlowEnabled: true})
    expect(client.redirectUris).toContain('http://localhost:14173/*')
  })

  it('behind an ingress: the public https hostname and trusted proxy headers', async () => {
    const {object} = await workload(INGRESS, 'Deployment', 'geniro-keycloak')
    const keycloak = container(object, 'keycloak')
    expect(env(keycloak, 'KC_HOSTNAME')).toBe('https://auth.geniro.example.com')
    expect(env(keycloak, 'KC_PROXY_HEADERS')).toBe('xforwarded')
  })

  it('starts optimized from a build made in an emptyDir, so its root filesystem stays read-only', async () => {
    const {object, pod} = await workload({}, 'Deployment', 'geniro-keycloak')
    const build = container(object, 'build', true)
    const keycloak = container(object, 'keycloak')
    expect(build.command?.join(' ') ?? '').toContain(
      'kc.sh build --db=postgres --health-enabled=true',
    )
    expect([...(keycloak.command ?? []), ...(keycloak.args ?? [])].join(' ')).toContain(
      'start --optimized --import-realm',
    )
    expect(keycloak.securityContext?.readOnlyRootFilesystem).toBe(true)
    const built = pod.spec.volumes?.find((v) => v.name === 'keycloak-built')
    expect(built?.emptyDir).toBeDefined()
  })
})

describe('the web app reaching the API', () => {
  it('honours an explicit web.apiUrl', async () => {
    const {render} = await workload(
      {values: {web: {apiUrl: 'https://api.example.com/'}}},
      'Deployment',
      'geniro-web',
    )
    expect(configMapData(render.objects, 'geniro-web')['config.js']).toContain(
      'API_URL: "https://api.example.com" ||',
    )
  })

  it('through the forwards (no ingress): /config.js points the browser at http://localhost:15000', async () => {
    const {render, object} = await workload({}, 'Deployment', 'geniro-web')
    const configJs = configMapData(render.objects, 'geniro-web')['config.js']!
    expect(configJs).toMatch(
      /^window\.__CONFIG__ = \{\n {2}API_URL: "http:\/\/localhost:15000" \|\|/,
    )
    const mount = container(object, 'web').volumeMounts?.find(
      (m) => (m as {subPath?: string}).subPath === 'config.js',
    )
    expect(mount?.mountPath).toBe('/app/dist/config.js')
  })

  it('behind an ingress: same origin, with /api and /socket.io routed to the API', async () => {
    const {render} = await workload(INGRESS, 'Deployment', 'geniro-web')
    const configJs = configMapData(render.objects, 'geniro-web')['config.js']!
    expect(configJs).toContain('API_URL: "" || window.location.origin')
    expect(configJs).toContain('WEBSITE_URL: "https://geniro.example.com"')
    const ingress = findObject(render.objects, 'Ingress', 'geniro-web') as unknown as {
      spec: {
        rules: Array<{http: {paths: Array<{path: string; backend: {service: {name: string}}}>}}>
      }
    }
    const routes = Object.fromEntries(
      ingress.spec.rules[0]!.http.paths.map((p) => [p.path, p.backend.service.name]),
    )
    expect(routes).toMatchObject({
      '/api': 'geniro-api',
      '/socket.io': 'geniro-api',
      '/': 'geniro-web',
    })
  })
})

describe('the API’s configuration matches what the API reads', () => {
  it('HTTP_PORT, REDIS_URL carrying the password by reference, and the public KEYCLOAK_URL', async () => {
    const {render, object} = await workload({}, 'Deployment', 'geniro-api')
    const config = configMapData(render.objects, 'geniro-api')
    expect(config.HTTP_PORT).toBe('5000')
    expect(config.KEYCLOAK_URL).toBe('http://localhost:18080')
    expect(config.DEFAULT_RUNTIME_TYPE).toBe('Docker')
    const api = container(object, 'api')
    const names = (api.env ?? []).map((e) => e.name)
    expect(names.indexOf('REDIS_PASSWORD')).toBeLessThan(names.indexOf('REDIS_URL'))
    expect(env(api, 'REDIS_URL')).toBe('redis://:$(REDIS_PASSWORD)@geniro-redis:6379')
  })

  it('relays localhost:18080 inside the API pod to Keycloak, only while Keycloak’s URL is localhost', async () => {
    const local = await workload({}, 'Deployment', 'geniro-api')
    const relay = container(local.object, 'keycloak-relay')
    expect(relay.command?.join(' ')).toContain(".listen(18080, '127.0.0.1')")
    expect(relay.command?.join(' ')).toContain('net.connect(80, "geniro-keycloak")')
    const behindIngress = await workload(INGRESS, 'Deployment', 'geniro-api')
    const names = containersOfPod(behindIngress.pod).map((c) => c.container.name)
    expect(names).not.toContain('keycloak-relay')
    expect(configMapData(behindIngress.render.objects, 'geniro-api').KEYCLOAK_URL).toBe(
      'https://auth.geniro.example.com',
    )
  })

  it('waits for its database, then starts the built entry point, which migrates at boot', async () => {
    const {render, pod, object} = await workload({}, 'Deployment', 'geniro-api')
    expect((pod.spec.initContainers ?? []).map((c) => c.name)).toEqual(['wait-for-database'])
    const api = container(object, 'api')
    expect([api.command, api.workingDir]).toEqual([
      ['node', 'dist/main.js'],
      '/usr/src/app/apps/api',
    ])
    expect(configMapData(render.objects, 'geniro-api').POSTGRES_RUN_MIGRATIONS).toBe('true')
    const off = await workload(
      {set: {'api.migrations.runAtBoot': 'false'}},
      'Deployment',
      'geniro-api',
    )
    expect(configMapData(off.render.objects, 'geniro-api').POSTGRES_RUN_MIGRATIONS).toBe('false')
  })

  it('lets the web app’s origin through CORS, which its websocket needs', async () => {
    const local = await workload({}, 'Deployment', 'geniro-api')
    expect(configMapData(local.render.objects, 'geniro-api').CORS_ALLOWED_ORIGINS).toBe(
      'http://localhost:14173',
    )
    const ingress = await workload(INGRESS, 'Deployment', 'geniro-api')
    expect(configMapData(ingress.render.objects, 'geniro-api').CORS_ALLOWED_ORIGINS).toBe(
      'https://geniro.example.com',
    )
    const given = await workload(
      {values: {api: {config: {corsAllowedOrigins: ['https://a.example', 'https://b.example']}}}},
      'Deployment',
      'geniro-api',
    )
    expect(configMapData(given.render.objects, 'geniro-api').CORS_ALLOWED_ORIGINS).toBe(
      'https://a.example,https://b.example',
    )
  })

  it('maps sslMode to what node-postgres does: verify-full is ssl true, with a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const options: RenderOptions = {
      valuesFiles: ['ci/all-external-values.yaml'],
      set: {'externalPostgresql.sslMode': 'verify-full', 'externalPostgresql.caSecret': 'pg-ca'},
    }
    const {object, pod} = await workload(options, 'Deployment', 'geniro-api')
    const api = container(object, 'api')
    expect(env(api, 'POSTGRES_SSL')).toBe('true')
    expect(env(api, 'POSTGRES_URL')).toBeUndefined()
    expect(env(api, 'NODE_EXTRA_CA_CERTS')).toBe('/etc/geniro/postgresql-ca/ca.crt')
    expect(pod.spec.volumes?.find((v) => v.name === 'postgresql-ca')?.secret).toMatchObject({
      secretName: 'pg-ca',
    })
    const wait = container(object, 'wait-for-database', true)
    expect(env(wait, 'PGSSLROOTCERT')).toBe('/etc/geniro/postgresql-ca/ca.crt')
    const keycloak = await workload(
      {
        set: {
          'postgresql.enabled': 'false',
          'externalPostgresql.enabled': 'true',
          'externalPostgresql.host': 'db.example.internal',
          'externalPostgresql.sslMode': 'verify-full',
          'externalPostgresql.caSecret': 'pg-ca',
        },
      },
      'Deployment',
      'geniro-keycloak',
    )
    expect(env(container(keycloak.object, 'keycloak'), 'KC_DB_URL')).toContain(
      '?sslmode=verify-full&sslrootcert=/etc/geniro/postgresql-ca/ca.crt',
    )
  })
})

describe('values.schema.json catches typical mistakes before anything is applied', () => {
  it.each([
    ['a misspelled key in a component block', {api: {replicaCountt: 2}}, /replicaCountt/],
    ['a wrong type', {postgresql: {persistence: {size: 8}}}, /size/],
    ['a bad enum (NodePort is never offered)', {web: {service: {type: 'NodePort'}}}, /type/],
    ['an unknown top-level key', {apii: {enabled: true}}, /apii/],
    ['a string where a boolean belongs', {redis: {enabled: 'yes'}}, /enabled/],
    ['a global default of the wrong type', {global: {tolerations: {key: 'x'}}}, /tolerations/],
  ])('rejects %s', async (_what, values, names) => {
    const stderr = await renderFailure({values})
    expect(stderr).toMatch(/schema/)
    expect(stderr).toMatch(names)
  })
})
