import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {ComposePort} from '../../src/core/compose-model.js'
import {
  composePsLocation,
  parseComposePs,
  parseDockerPsCompose,
} from '../../src/core/compose-runtime.js'

/**
 * Captured from Docker Compose 2.26.1 and the docker 28 CLI against the test engine
 * (project gdevprobe-x2: db publishes 5439:5432, 127.0.0.1:15990-15991:7000-7001 and
 * [::1]:15992:7002; worker has two replicas publishing 7100 on a random port), except
 * podman-compose-ps.out, written after podman's documented `ps --format json` shape.
 */
function output(name: string): string {
  return readFileSync(new URL(`../fixtures/compose/runtime/${name}`, import.meta.url), 'utf8')
}

function brief(port: ComposePort): string {
  const range = port.publishedRangeEnd === undefined ? '' : `~${port.publishedRangeEnd}`
  return `${port.service} ${port.hostIp}:${port.published}${range}->${port.target}/${port.protocol}`
}

describe('docker compose ps --format json', () => {
  it.each(['compose-ps-running.jsonl', 'compose-ps-array.json'])(
    'reads the running project from %s (JSON Lines since v2.21, an array before)',
    (file) => {
      const services = parseComposePs(output(file), 'gdevprobe-x2')
      expect(services.map((service) => service.name)).toEqual(['db', 'worker'])
      const [db, worker] = services
      expect(db).toMatchObject({
        containerName: 'gdevprobe-x2-db-1',
        state: 'running',
        image: 'geniro-dev-fake-node:1',
        environment: {},
        role: 'postgresql',
        roleBy: 'port',
      })
      // 0.0.0.0 and :: of one published port count once.
      expect(db?.ports.map(brief)).toEqual([
        'db 0.0.0.0:5439->5432/tcp',
        'db 127.0.0.1:15990->7000/tcp',
        'db 127.0.0.1:15991->7001/tcp',
        'db ::1:15992->7002/tcp',
      ])
      expect(db?.ports[0]?.project).toBe('gdevprobe-x2')
      // Both replicas' random ports; the first replica names the service.
      expect(worker).toMatchObject({containerName: 'gdevprobe-x2-worker-1', state: 'running'})
      expect(worker?.ports.map(brief).sort()).toEqual([
        'worker 0.0.0.0:32770->7100/tcp',
        'worker 0.0.0.0:32771->7100/tcp',
      ])
      expect(worker?.role).toBeUndefined()
    },
  )

  it('shows stopped containers as exited with no published ports', () => {
    const services = parseComposePs(output('compose-ps-stopped.jsonl'), 'gdevprobe-x2')
    expect(services).toEqual([
      expect.objectContaining({name: 'db', state: 'exited', ports: []}),
      expect.objectContaining({name: 'worker', state: 'exited', ports: []}),
    ])
  })

  it('keeps a running service beside a stopped one', () => {
    const [db, worker] = parseComposePs(output('compose-ps-worker-stopped.jsonl'), 'gdevprobe-x2')
    expect(db).toMatchObject({state: 'running'})
    expect(db?.ports).toHaveLength(4)
    expect(worker).toMatchObject({state: 'exited', ports: []})
  })

  it('names a service after its running replica when another one is stopped', () => {
    const lines = output('compose-ps-running.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    lines[1] = {...lines[1], State: 'exited', Publishers: null, Ports: ''}
    const stdout = lines.map((line) => JSON.stringify(line)).join('\n')
    const worker = parseComposePs(stdout, 'gdevprobe-x2')[1]
    expect(worker).toMatchObject({containerName: 'gdevprobe-x2-worker-2', state: 'running'})
    expect(worker?.ports.map(brief)).toEqual(['worker 0.0.0.0:32770->7100/tcp'])
  })

  it.each([
    ['nothing', ''],
    ['an empty array', '[]'],
    ['only noise', 'time="…" level=warning msg="something"\n'],
  ])('reads %s as no containers', (_what, stdout) => {
    expect(parseComposePs(stdout, 'p')).toEqual([])
  })

  it('leaves out containers of another project', () => {
    expect(parseComposePs(output('compose-ps-running.jsonl'), 'other')).toEqual([])
  })

  it('takes the project from the containers when none is given', () => {
    const [db] = parseComposePs(output('compose-ps-running.jsonl'), '')
    expect(db?.ports[0]?.project).toBe('gdevprobe-x2')
  })

  it('counts only the published entries of Publishers (PublishedPort 0 is exposed only)', () => {
    const stdout = JSON.stringify({
      Service: 'cache',
      Project: 'p',
      State: 'running',
      Image: 'redis:7',
      Publishers: [
        {URL: '', TargetPort: 6379, PublishedPort: 0, Protocol: 'tcp'},
        {URL: '::', TargetPort: 6380, PublishedPort: 6380, Protocol: 'tcp'},
      ],
    })
    const [cache] = parseComposePs(stdout, 'p')
    // An IPv6-only binding stays: it is not the twin of an IPv4 one.
    expect(cache?.ports.map(brief)).toEqual(['cache :::6380->6380/tcp'])
    expect(cache).toMatchObject({role: 'redis', roleBy: 'image'})
  })
})

describe('podman compose ps --format json (podman-compose)', () => {
  it('reads podman’s array, past a provider banner', () => {
    const services = parseComposePs(output('podman-compose-ps.out'), 'geniro')
    expect(services.map((service) => service.name)).toEqual(['db', 'cache'])
    const [db, cache] = services
    expect(db).toMatchObject({
      containerName: 'geniro_db_1',
      state: 'running',
      image: 'docker.io/pgvector/pgvector:pg16',
      role: 'postgresql',
      roleBy: 'image',
    })
    // `range` counts consecutive ports; host_ip '' is all addresses.
    expect(db?.ports.map(brief)).toEqual([
      'db :5439->5432/tcp',
      'db 127.0.0.1:17000->7000/tcp',
      'db 127.0.0.1:17001->7001/tcp',
      'db :5353->53/udp',
    ])
    expect(cache).toMatchObject({state: 'exited', ports: [], role: 'redis'})
  })

  it('finds where the project’s files are, relative paths under the working directory', () => {
    expect(composePsLocation(output('podman-compose-ps.out'))).toEqual({
      workingDir: '/home/dev/geniro',
      configFiles: ['/home/dev/geniro/compose.yaml', '/home/dev/geniro/compose.override.yaml'],
    })
  })
})

describe('the project location in Compose labels', () => {
  it('reads working_dir and config_files from Docker’s label string', () => {
    expect(composePsLocation(output('compose-ps-running.jsonl'))).toEqual({
      workingDir: '/tmp/cx/r',
      configFiles: ['/tmp/cx/r/compose.yaml'],
    })
  })

  it('keeps the commas of several config files inside the label string', () => {
    const stdout = JSON.stringify({
      Service: 'db',
      Labels:
        'com.docker.compose.project=p,com.docker.compose.project.config_files=/w/compose.yaml,/w/compose.override.yaml,com.docker.compose.project.working_dir=/w',
    })
    expect(composePsLocation(stdout)).toEqual({
      workingDir: '/w',
      configFiles: ['/w/compose.yaml', '/w/compose.override.yaml'],
    })
  })

  it('knows nothing without labels', () => {
    expect(composePsLocation('')).toEqual({configFiles: []})
  })
})

describe("docker ps --format '{{json .}}' of Compose containers", () => {
  it('reads every published port with its project and service, IPv4 and IPv6 once', () => {
    const ports = parseDockerPsCompose(output('docker-ps.jsonl'))
    expect(ports.map(brief)).toEqual([
      'worker 0.0.0.0:32770->7100/tcp',
      'db 0.0.0.0:5439->5432/tcp',
      'db 127.0.0.1:15990->7000/tcp',
      'db 127.0.0.1:15991->7001/tcp',
      'db ::1:15992->7002/tcp',
      'worker 0.0.0.0:32771->7100/tcp',
    ])
    expect(new Set(ports.map((port) => port.project))).toEqual(new Set(['gdevprobe-x2']))
  })

  const line = (
    ports: string,
    labels = 'com.docker.compose.project=p,com.docker.compose.service=s',
  ) => JSON.stringify({Names: 'c', Labels: labels, Ports: ports, State: 'running'})

  it.each([
    // Older docker CLIs print IPv6 without brackets and fold consecutive ports into ranges.
    ['0.0.0.0:5439->5432/tcp, :::5439->5432/tcp', ['s 0.0.0.0:5439->5432/tcp']],
    [
      '127.0.0.1:8100-8101->9100-9101/udp',
      ['s 127.0.0.1:8100->9100/udp', 's 127.0.0.1:8101->9101/udp'],
    ],
    ['0.0.0.0:8000-8001->9000/tcp', ['s 0.0.0.0:8000~8001->9000/tcp']],
    ['[::1]:6001->6001/tcp', ['s ::1:6001->6001/tcp']],
    ['6379/tcp, 7000-7001/tcp', []],
    ['', []],
    [
      '0.0.0.0:5439->5432/tcp, [::]:5439->5432/tcp, 0.0.0.0:5439->5432/udp',
      ['s 0.0.0.0:5439->5432/tcp', 's 0.0.0.0:5439->5432/udp'],
    ],
  ])('reads the Ports column %j', (ports, expected) => {
    expect(parseDockerPsCompose(line(ports)).map(brief)).toEqual(expected)
  })

  it('skips containers that are not Compose services', () => {
    expect(parseDockerPsCompose(line('0.0.0.0:80->80/tcp', 'maintainer=x'))).toEqual([])
  })

  it('reads labels given as a map', () => {
    const stdout = JSON.stringify({
      Labels: {'com.docker.compose.project': 'p', 'com.docker.compose.service': 'db'},
      Ports: '0.0.0.0:5439->5432/tcp',
    })
    expect(parseDockerPsCompose(stdout).map(brief)).toEqual(['db 0.0.0.0:5439->5432/tcp'])
  })
})
