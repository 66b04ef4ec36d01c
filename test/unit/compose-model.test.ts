import {describe, expect, it} from 'vitest'
import {
  ComposeFilesNeeded,
  composeModel,
  findServiceByRole,
  imageName,
  interpolate,
  isIpAddress,
  parseDotEnv,
  parsePortSpec,
  serviceRole,
  type ComposePort,
  type ComposeProject,
  type ComposeService,
} from '../../src/core/compose-model.js'
import {normalizeProjectName} from '../../src/core/compose-project.js'
import {UserError} from '../../src/core/errors.js'

const ctx = {project: 'p', service: 's'}

/** `hostIp:published->target/protocol`, `~end` for a published range: short to read. */
function brief(port: ComposePort): string {
  const range = port.publishedRangeEnd === undefined ? '' : `~${port.publishedRangeEnd}`
  return `${port.hostIp}:${port.published}${range}->${port.target}/${port.protocol}`
}

function caught(run: () => unknown): UserError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return error as UserError
  }
  throw new Error('expected a UserError')
}

function model(
  files: Record<string, string>,
  options: Partial<Parameters<typeof composeModel>[1]> = {},
): ComposeProject {
  return composeModel(
    Object.entries(files).map(([path, text]) => ({path, text})),
    {env: {}, workingDir: '/work/my-app', ...options},
  )
}

describe('interpolation, as Compose v2 resolves it', () => {
  it.each([
    ['a$Xb', {Xb: 'v'}, 'av'],
    ['a${X}b', {X: '1'}, 'a1b'],
    ['a$X-b', {X: '1'}, 'a1-b'],
    ['$x_Y9z', {x_Y9z: 'q'}, 'q'],
    ['$X$Y', {X: '1', Y: '2'}, '12'],
    ['${X}', {}, ''],
    ['${X:-d}', {X: ''}, 'd'],
    ['${X:-d}', {}, 'd'],
    ['${X:-d}', {X: 'v'}, 'v'],
    ['${X-d}', {X: ''}, ''],
    ['${X-d}', {}, 'd'],
    ['${X:+alt}', {X: ''}, ''],
    ['${X:+alt}', {X: 'v'}, 'alt'],
    ['${X+alt}', {X: ''}, 'alt'],
    ['${X+alt}', {}, ''],
    ['${X:?boom}', {X: '1'}, '1'],
    ['${X?boom}', {X: ''}, ''],
    ['$$X', {X: '1'}, '$X'],
    ['$$$X', {X: '1'}, '$1'],
    ['$${X}', {X: '1'}, '${X}'],
    ['${A:-${B:-x}}', {}, 'x'],
    ['${A:-${B:-x}}', {B: 'y'}, 'y'],
    ['${A:-${B}y}', {B: 'z'}, 'zy'],
    ['${X:-$${Y}}', {}, '${Y}'],
    ['${X:-$Y}', {Y: 'w'}, 'w'],
    ['${X:+$Y}', {X: '1', Y: 'w'}, 'w'],
    ['${X:-{a}}', {}, '{a}'],
    ['${X:-a}}', {}, 'a}'],
    ['${X:-}}', {}, '}'],
    ['${X:-a b c}', {}, 'a b c'],
    ['${X:-a:b}', {}, 'a:b'],
    ['${X:-a?b}', {}, 'a?b'],
    ['${a-b-c}', {}, 'b-c'],
    ['$1 $ end$', {}, '$1 $ end$'],
    ['$ {X}', {X: '1'}, '$ {X}'],
    ['no variables', {}, 'no variables'],
  ])('%s with %j is %j', (template, env, expected) => {
    expect(interpolate(template, env)).toBe(expected)
  })

  it.each([
    ['${X:?boom}', {}, /^required variable X is missing a value: boom$/],
    ['${X:?boom}', {X: ''}, /^required variable X is missing a value: boom$/],
    ['${X?boom}', {}, /^required variable X is missing a value: boom$/],
    ['${X:?}', {}, /^required variable X is missing a value$/],
    ['${X:?$Y is bad}', {Y: 'w'}, /: w is bad$/],
    // Compose resolves a default even when it is not used, so its error surfaces.
    ['${X:-${Y:?need y}}', {X: '1'}, /required variable Y is missing a value: need y/],
  ])('%s with %j fails naming the variable', (template, env, message) => {
    const error = caught(() => interpolate(template, env))
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(/Set \w+ in the environment or in the project's \.env file/)
  })

  it.each(['${X', '${}', '${ X}', '${X }', '${X:=d}', '${X.Y}', '${1}'])(
    'refuses the malformed %s and says how to write a literal $',
    (template) => {
      const error = caught(() => interpolate(template, {}))
      expect(error.message).toMatch(/^invalid interpolation format/)
      expect(error.hint).toMatch(/\$\$/)
    },
  )
})

describe('.env files', () => {
  it.each([
    ['X=1', {}, {X: '1'}],
    ['X="a b" # c', {}, {X: 'a b'}],
    ["X='a $Y b'\nY=q", {}, {X: 'a $Y b', Y: 'q'}],
    ['Y=q\nX="a ${Y} b"', {}, {Y: 'q', X: 'a q b'}],
    ['X="a ${Y} b"\nY=q', {}, {X: 'a  b', Y: 'q'}],
    ['Y=q\nX=a ${Y} b # comment', {}, {Y: 'q', X: 'a q b'}],
    ['X=a#b', {}, {X: 'a#b'}],
    ['export X=1', {}, {X: '1'}],
    ['# c\n\n  X = 1 ', {}, {X: '1'}],
    ['X', {X: '3'}, {X: '3'}],
    ['X', {}, {}],
    ['X:1', {}, {X: '1'}],
    ['X="multi\nline"', {}, {X: 'multi\nline'}],
    ['X="a\\nb"', {}, {X: 'a\nb'}],
    ['X="a\\"b"', {}, {X: 'a"b'}],
    ["X='a\\'b'", {}, {X: "a'b"}],
    ['X=`1`', {}, {X: '`1`'}],
    ['X=${UNSET:-d}', {}, {X: 'd'}],
    ['X=$$a', {}, {X: '$a'}],
    ['X=${B}x', {B: 'env'}, {X: 'envx'}],
    ['B=file\nX=${B}x', {B: 'env'}, {B: 'file', X: 'envx'}],
    ['X=1\r\nY=2\r\n', {}, {X: '1', Y: '2'}],
  ])('%j with %j', (text, env, expected) => {
    expect(parseDotEnv(text, env)).toEqual(expected)
  })
})

describe('port specs', () => {
  it.each([
    ['5439:5432', [':5439->5432/tcp']],
    [5432, []],
    ['7000', []],
    ['127.0.0.1::5433', []],
    [':5432', []],
    ['0:80', []],
    ['[::1]::5432', []],
    ['7000-7001', []],
    ['127.0.0.1:5439:5432', ['127.0.0.1:5439->5432/tcp']],
    ['0.0.0.0:5439:5432', ['0.0.0.0:5439->5432/tcp']],
    ['[::1]:6001:6001', ['::1:6001->6001/tcp']],
    ['[::]:5439:5432', [':::5439->5432/tcp']],
    ['[127.0.0.1]:5439:5432', ['127.0.0.1:5439->5432/tcp']],
    ['53:53/udp', [':53->53/udp']],
    ['53:53/UDP', [':53->53/udp']],
    ['9999:9999/sctp', [':9999->9999/sctp']],
    ['53:53/', [':53->53/tcp']],
    ['5439:5432/tcp/x', [':5439->5432/tcp']],
    ['010:80', [':10->80/tcp']],
    ['65535:65535', [':65535->65535/tcp']],
    ['9090-9091:8080-8081', [':9090->8080/tcp', ':9091->8081/tcp']],
    [
      '127.0.0.1:8100-8102:9100-9102/udp',
      ['127.0.0.1:8100->9100/udp', '127.0.0.1:8101->9101/udp', '127.0.0.1:8102->9102/udp'],
    ],
    ['8000-8001:9000', [':8000~8001->9000/tcp']],
    ['0-1:80-81', [':1->81/tcp']],
    ['[fe80::1]:6004-6005:6004-6005', ['fe80::1:6004->6004/tcp', 'fe80::1:6005->6005/tcp']],
  ])('short syntax %j', (spec, expected) => {
    expect(parsePortSpec(spec, ctx).map(brief)).toEqual(expected)
  })

  it.each([
    [{target: 5432, published: 5439}, [':5439->5432/tcp']],
    [{target: 5432, published: '5439'}, [':5439->5432/tcp']],
    [{target: '5432', published: 5439}, [':5439->5432/tcp']],
    [
      {target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host'},
      ['127.0.0.1:8080->80/tcp'],
    ],
    [{target: 80, published: 8080, host_ip: '::1'}, ['::1:8080->80/tcp']],
    [{target: 80, published: 8080, host_ip: '[::1]'}, ['::1:8080->80/tcp']],
    [{target: 53, published: 53, protocol: 'UDP'}, [':53->53/udp']],
    [{target: 81, published: '8181-8182'}, [':8181~8182->81/tcp']],
    [{target: 82}, []],
    [{target: 82, published: ''}, []],
    [{target: 82, published: 0}, []],
    [{target: 82, published: null}, []],
  ])('long syntax %j', (spec, expected) => {
    expect(parsePortSpec(spec, ctx).map(brief)).toEqual(expected)
  })

  it('names the project and the service on each port', () => {
    expect(parsePortSpec('5439:5432', {project: 'geniro', service: 'db'})).toEqual([
      {
        project: 'geniro',
        service: 'db',
        hostIp: '',
        published: 5439,
        target: 5432,
        protocol: 'tcp',
      },
    ])
  })

  it.each([
    ['::1:6001:6001', /IPv6 host IP in brackets/],
    ['1.2.3.4:5439:5432:1', /IPv6 host IP in brackets/],
    ['5439:5432:1', /invalid host IP "5439"/],
    ['1.2.3:80:80', /invalid host IP "1\.2\.3"/],
    ['abc:80', /invalid host port "abc"/],
    [' 5439:5432', /invalid host port " 5439"/],
    ['0x10:80', /invalid host port "0x10"/],
    ['70000:80', /invalid host port "70000"/],
    ['5439:', /no container port/],
    ['5432-5431', /invalid container port "5432-5431"/],
    ['9090-9092:8080-8081', /ranges differ in length/],
    ['9090:8080-8081', /ranges differ in length/],
    ['53:53/xyz', /invalid protocol "xyz"/],
    [{published: 5439}, /missing a target port/],
    [{target: -1, published: 1}, /invalid target port "-1"/],
    [{target: 70000, published: 1}, /invalid target port/],
    [{target: '80-81', published: '8080-8081'}, /invalid target port "80-81"/],
    [{target: 80, published: 'x'}, /invalid published port "x"/],
    [{target: 80, published: 1, host_ip: '1.2.3'}, /invalid host IP/],
    [{target: 80, published: 1, protocol: 'xyz'}, /invalid protocol/],
    [1.5, /invalid container port "1\.5"/],
    [true, /a port is a string, a number or a mapping/],
    [null, /a port is a string, a number or a mapping/],
  ])('refuses %j with the service named and a hint', (spec, reason) => {
    const error = caught(() => parsePortSpec(spec, ctx))
    expect(error.message).toMatch(/^service "s" has an invalid port /)
    expect(error.message).toMatch(reason)
    expect(error.hint).toContain('[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]')
  })

  it.each([
    ['127.0.0.1', true],
    ['::', true],
    ['::1', true],
    ['fe80::1', true],
    ['2001:db8::8a2e:370:7334', true],
    ['1:2:3:4:5:6:7:8', true],
    ['::ffff:192.0.2.1', true],
    ['1.2.3', false],
    ['256.1.1.1', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
    ['g::1', false],
    ['', false],
  ])('%s is an IP address: %s', (text, expected) => {
    expect(isIpAddress(text)).toBe(expected)
  })
})

describe('the Compose model of files', () => {
  it('reads services, their ports, image, environment and volumes', () => {
    const project = model(
      {
        '/work/my-app/compose.yaml': `
services:
  db:
    image: pgvector/pgvector:pg16
    ports: ["5439:5432", "127.0.0.1::5433"]
    environment: [POSTGRES_USER=geniro, "POSTGRES_PASSWORD=pa$$word", FROM_SHELL, NOT_SET]
    volumes:
      - ./init:/docker-entrypoint-initdb.d:ro
      - ~/dumps:/dumps
      - data:/var/lib/postgresql/data
      - /anonymous
      - {type: bind, source: ../shared, target: /shared}
  cache:
    image: redis:7
    environment: {A: 1, B: true, C: null, D: 1.5}
volumes: {data: {}}
`,
      },
      {env: {FROM_SHELL: 'x', HOME: '/home/dev'}},
    )
    expect(project).toMatchObject({name: 'my-app', source: 'file', workingDir: '/work/my-app'})
    expect(project.files).toEqual(['/work/my-app/compose.yaml'])
    const [db, cache] = project.services
    expect(db).toMatchObject({
      name: 'db',
      image: 'pgvector/pgvector:pg16',
      role: 'postgresql',
      roleBy: 'image',
      environment: {POSTGRES_USER: 'geniro', POSTGRES_PASSWORD: 'pa$word', FROM_SHELL: 'x'},
      volumes: [
        '/work/my-app/init:/docker-entrypoint-initdb.d',
        '/home/dev/dumps:/dumps',
        'data:/var/lib/postgresql/data',
        '/work/shared:/shared',
      ],
    })
    expect(db?.ports.map(brief)).toEqual([':5439->5432/tcp'])
    expect(cache).toMatchObject({name: 'cache', role: 'redis', ports: []})
    expect(cache?.environment).toEqual({A: '1', B: 'true', D: '1.5'})
  })

  it('merges files in order: image replaced, ports added once, environment by key, volumes by target', () => {
    const project = model({
      'compose.yaml': `
services:
  db:
    image: postgres:16
    ports: ["5439:5432", "127.0.0.1:7000:7000"]
    environment: [A=1, B=2]
    volumes: ["./init:/init", "./keep:/keep"]
`,
      'compose.override.yaml': `
services:
  db:
    image: pgvector/pgvector:pg16
    ports: ["5439:5432", {target: 5432, published: 5440}]
    environment: {B: "3", C: "4"}
    volumes: ["./other-init:/init"]
  extra:
    image: qdrant/qdrant
`,
    })
    const [db, extra] = project.services
    expect(db?.image).toBe('pgvector/pgvector:pg16')
    expect(db?.ports.map(brief)).toEqual([
      ':5439->5432/tcp',
      '127.0.0.1:7000->7000/tcp',
      ':5440->5432/tcp',
    ])
    expect(db?.environment).toEqual({A: '1', B: '3', C: '4'})
    expect(db?.volumes).toEqual(['/work/my-app/other-init:/init', '/work/my-app/keep:/keep'])
    expect(extra).toMatchObject({name: 'extra', role: 'qdrant'})
    expect(project.files).toEqual(['compose.yaml', 'compose.override.yaml'])
  })

  it('interpolates values, not keys, from the environment given', () => {
    const project = model(
      {
        'compose.yaml': `
services:
  db:
    image: "\${REGISTRY:-docker.io}/postgres:\${TAG:-16}"
    ports: ["\${PG_PORT:-5439}:5432"]
    labels: {"\${KEY}": v}
    environment: {"\${KEY}": "\${VALUE}"}
`,
      },
      {env: {PG_PORT: '6543', KEY: 'k', VALUE: 'v'}},
    )
    expect(project.services[0]).toMatchObject({
      image: 'docker.io/postgres:16',
      environment: {'${KEY}': 'v'},
    })
    expect(project.services[0]?.ports.map(brief)).toEqual([':6543->5432/tcp'])
  })

  it('names the file and the place of a missing required variable, even in an inactive service', () => {
    const error = caught(() =>
      model({
        'compose.yaml': `
services:
  db: {image: postgres}
  debug: {image: "\${DEBUG_IMAGE:?set DEBUG_IMAGE}", profiles: [debug]}
`,
      }),
    )
    expect(error.message).toBe(
      'compose.yaml: services.debug.image: required variable DEBUG_IMAGE is missing a value: set DEBUG_IMAGE',
    )
  })

  it('names the file and line of malformed YAML', () => {
    const error = caught(() =>
      model({'/p/compose.yaml': 'services:\n  db:\n    image: x\n   ports: [1]\n'}),
    )
    expect(error.message).toMatch(/^\/p\/compose\.yaml line 4: /)
    expect(error.message).not.toContain('\n')
  })

  it.each([
    ['', /empty compose file/],
    ['- a\n- b\n', /Top-level object must be a mapping/],
    ['services: []\n', /services must be a mapping/],
    ['services:\n  db: [1]\n', /services\.db must be a mapping/],
    ['services:\n  db: {image: x, ports: "1:1"}\n', /services\.db\.ports must be a list/],
    ['services:\n  db: {image: x, ports: ["abc:1"]}\n', /service "db" has an invalid port/],
    ['a: 1\na: 2\n', /line 2: mapping key "a" already defined at line 1/],
  ])('refuses %j naming the file', (text, message) => {
    const error = caught(() => model({'bad.yaml': text}))
    expect(error.message).toMatch(/^bad\.yaml/)
    expect(error.message).toMatch(message)
  })

  it('follows YAML anchors and merge keys', () => {
    const project = model({
      'compose.yaml': `
x-pg: &pg
  image: postgres:16
  environment: {POSTGRES_USER: app}
services:
  db:
    <<: *pg
    ports: ["5439:5432"]
`,
    })
    expect(project.services[0]).toMatchObject({
      image: 'postgres:16',
      environment: {POSTGRES_USER: 'app'},
    })
  })

  it('resolves extends within the file, profiles included', () => {
    const text = `
services:
  base:
    image: postgres:16
    ports: ["5439:5432"]
    profiles: [p1]
    volumes: ["./a:/a"]
  child:
    extends: base
    ports: ["5440:5432"]
    environment: {POSTGRES_DB: child}
  child2:
    extends: {service: base}
    image: postgres:17
    volumes: ["./b:/a"]
`
    expect(model({'compose.yaml': text}).services).toEqual([])
    const [, child, child2] = model({'compose.yaml': text}, {profiles: ['p1']}).services
    expect(child?.ports.map((port) => `${port.service}${brief(port)}`)).toEqual([
      'child:5439->5432/tcp',
      'child:5440->5432/tcp',
    ])
    expect(child?.environment).toEqual({POSTGRES_DB: 'child'})
    expect(child2).toMatchObject({image: 'postgres:17', volumes: ['/work/my-app/b:/a']})
  })

  it('refuses an extends loop', () => {
    const error = caught(() =>
      model({'compose.yaml': 'services:\n  a: {extends: b}\n  b: {extends: a}\n'}),
    )
    expect(error.message).toMatch(/extend each other in a loop/)
  })

  describe('profiles', () => {
    const text = `
services:
  db: {image: postgres}
  debug: {image: busybox, profiles: [debug]}
  cache: {image: redis, profiles: [cache, debug]}
`
    const names = (options: Partial<Parameters<typeof composeModel>[1]>) =>
      model({'compose.yaml': text}, options).services.map((service) => service.name)

    it.each([
      [{}, ['db']],
      [{profiles: ['debug']}, ['db', 'debug', 'cache']],
      [{env: {COMPOSE_PROFILES: 'cache'}}, ['db', 'cache']],
      [{env: {COMPOSE_PROFILES: ' cache , debug '}}, ['db', 'debug', 'cache']],
      // Explicit profiles replace COMPOSE_PROFILES, as --profile does.
      [{env: {COMPOSE_PROFILES: 'cache,debug'}, profiles: ['x']}, ['db']],
      [{profiles: ['*']}, ['db', 'debug', 'cache']],
    ])('with %j: %j', (options, expected) => {
      expect(names(options)).toEqual(expected)
    })

    it('lists the services it leaves out, with their profiles', () => {
      const project = model({'compose.yaml': text}, {profiles: ['cache']})
      expect(project.inactive?.map((service) => [service.name, service.profiles])).toEqual([
        ['debug', ['debug']],
      ])
    })

    it.each([
      [{}, true],
      [{env: {COMPOSE_PROFILES: ''}}, true],
      [{env: {COMPOSE_PROFILES: 'x'}}, false],
      [{profiles: ['']}, true],
      [{profiles: ['x']}, false],
    ])('profiles: [""] with %j: active %s', (options, active) => {
      const project = model({'c.yaml': 'services:\n  e: {image: x, profiles: [""]}\n'}, options)
      expect(project.services.length === 1).toBe(active)
    })
  })

  describe('include and extends.file: the files are asked for, then read from sources', () => {
    const main = {
      '/w/compose.yaml':
        'include:\n  - db/compose.yaml\nservices:\n  api:\n    image: api\n    extends: {file: base.yaml, service: base}\n',
    }
    const included = 'services:\n  db:\n    image: postgres\n    ports: ["${P:-5432}:5432"]\n'

    function needed(sources: Record<string, string | null>): ComposeFilesNeeded {
      try {
        model(main, {workingDir: '/w', sources})
      } catch (error) {
        expect(error).toBeInstanceOf(ComposeFilesNeeded)
        return error as ComposeFilesNeeded
      }
      throw new Error('expected ComposeFilesNeeded')
    }

    it('asks for what it lacks, Compose files apart from the include’s .env', () => {
      expect({...needed({})}).toMatchObject({compose: ['/w/base.yaml'], other: []})
      const base = {'/w/base.yaml': 'services:\n  base:\n    environment: {A: "1"}\n'}
      expect({...needed(base)}).toMatchObject({
        compose: ['/w/db/compose.yaml'],
        other: ['/w/db/.env'],
      })
    })

    it('models the project once it has them, the include’s .env under the environment', () => {
      const sources = {
        '/w/base.yaml': 'services:\n  base:\n    environment: {A: "1"}\n',
        '/w/db/compose.yaml': included,
        '/w/db/.env': 'P=5439\n',
      }
      const project = model(main, {workingDir: '/w', sources})
      expect(project.services.map((service) => [service.name, service.ports.map(brief)])).toEqual([
        ['api', []],
        ['db', [':5439->5432/tcp']],
      ])
      expect(project.services[0]?.environment).toEqual({A: '1'})
      const overridden = model(main, {workingDir: '/w', sources, env: {P: '6000'}})
      expect(overridden.services[1]?.ports.map(brief)).toEqual([':6000->5432/tcp'])
    })

    it('refuses a missing included file, naming it', () => {
      const sources = {
        '/w/base.yaml': 'services:\n  base:\n    environment: {A: "1"}\n',
        '/w/db/compose.yaml': null,
        '/w/db/.env': null,
      }
      const error = caught(() => model(main, {workingDir: '/w', sources}))
      expect(error.message).toBe('/w/compose.yaml: the Compose file /w/db/compose.yaml not found')
    })

    it('parses each file once across calls, through the cache it is given', () => {
      const parsed = new Map()
      const sources = {
        '/w/base.yaml': 'services:\n  base:\n    environment: {A: "1"}\n',
        '/w/db/compose.yaml': included,
        '/w/db/.env': null,
      }
      model(main, {workingDir: '/w', sources, parsed})
      expect([...parsed.keys()].sort()).toEqual([
        '/w/base.yaml',
        '/w/compose.yaml',
        '/w/db/compose.yaml',
      ])
      // A cached parse is used as it is: a stale text no longer matters.
      const again = model({'/w/compose.yaml': 'not: read\n'}, {workingDir: '/w', sources, parsed})
      expect(again.services.map((service) => service.name)).toEqual(['api', 'db'])
    })
  })

  describe('project name', () => {
    const named = (text: string, options: Partial<Parameters<typeof composeModel>[1]> = {}) =>
      model({'compose.yaml': `${text}\nservices: {s: {image: x}}\n`}, options).name

    it.each([
      ['', {workingDir: '/x/My.App-Dir'}, 'myapp-dir'],
      ['', {workingDir: '/x/_x.Y'}, 'xy'],
      ['', {workingDir: '/x/ÄÖx/'}, 'x'],
      ['name: Abc', {}, 'abc'],
      ['name: a.b', {}, 'ab'],
      ['name: ""', {}, 'my-app'],
      ['name: ${N:-from-var}', {}, 'from-var'],
      ['name: frm', {env: {COMPOSE_PROJECT_NAME: 'envname'}}, 'envname'],
      ['name: frm', {env: {COMPOSE_PROJECT_NAME: ''}}, 'frm'],
      ['name: frm', {env: {COMPOSE_PROJECT_NAME: 'envname'}, projectName: 'flag'}, 'flag'],
    ])('%j with %j is %s', (text, options, expected) => {
      expect(named(text, options)).toBe(expected)
    })

    it('takes the last file’s name', () => {
      const project = model({
        'a.yaml': 'name: first\nservices: {s: {image: x}}\n',
        'b.yaml': 'name: second\n',
      })
      expect(project.name).toBe('second')
      expect(project.services[0]?.ports).toEqual([])
    })

    it.each([
      [{projectName: 'Abc'}, /invalid Compose project name "Abc" \(from -p\)/],
      [{env: {COMPOSE_PROJECT_NAME: 'Fromenv'}}, /"Fromenv" \(from COMPOSE_PROJECT_NAME\)/],
      [{workingDir: '/x/--'}, /project name is empty/],
    ])('refuses %j as Compose does', (options, message) => {
      expect(caught(() => named('', options)).message).toMatch(message)
    })

    it.each([
      ['My App', 'myapp'],
      ['a.b', 'ab'],
      ['-_x', 'x'],
      ['x-_y', 'x-_y'],
      ['ÄÖx', 'x'],
    ])('normalises %j to %j', (name, expected) => {
      expect(normalizeProjectName(name)).toBe(expected)
    })
  })

  it('reads env_file texts given to it, under environment', () => {
    const text = `
services:
  db:
    image: postgres
    env_file: [db.env, {path: ./optional.env, required: false}]
    environment: [POSTGRES_DB=override, FROM_ENV, UNSET_HERE]
`
    const withoutTexts = model({'compose.yaml': text})
    expect(withoutTexts.services[0]?.envFiles).toEqual([
      {path: '/work/my-app/db.env', required: true},
      {path: '/work/my-app/optional.env', required: false},
    ])
    const project = model(
      {'compose.yaml': text},
      {
        env: {FROM_ENV: 'env', B: 'b'},
        envFileTexts: {
          '/work/my-app/db.env':
            'POSTGRES_USER=geniro\nPOSTGRES_DB=file\nUNSET_HERE=file\nE=${B}x\n',
        },
      },
    )
    // A bare key that the environment does not set removes the env_file's value, as in Compose.
    expect(project.services[0]?.environment).toEqual({
      POSTGRES_USER: 'geniro',
      POSTGRES_DB: 'override',
      FROM_ENV: 'env',
      E: 'bx',
    })
  })
})

describe('service roles', () => {
  it.each([
    ['postgres:16', 'postgresql'],
    ['docker.io/library/postgres:16-alpine', 'postgresql'],
    ['pgvector/pgvector:pg16', 'postgresql'],
    ['ankane/pgvector', 'postgresql'],
    ['postgis/postgis:16-3.4', 'postgresql'],
    ['timescale/timescaledb:latest-pg16', 'postgresql'],
    ['timescale/timescaledb-ha:pg16', 'postgresql'],
    ['bitnami/postgresql:16', 'postgresql'],
    ['localhost:5000/postgres:16', 'postgresql'],
    ['postgres@sha256:abcd', 'postgresql'],
    ['redis:7', 'redis'],
    ['redis/redis-stack-server', 'redis'],
    ['valkey/valkey:8', 'redis'],
    ['bitnami/valkey', 'redis'],
    ['qdrant/qdrant:v1.12.0', 'qdrant'],
    ['ghcr.io/berriai/litellm:main-latest', 'litellm'],
    ['ghcr.io/berriai/litellm-database:main-stable', 'litellm'],
    ['quay.io/keycloak/keycloak:26.0', 'keycloak'],
    ['bitnami/keycloak:26', 'keycloak'],
    ['prometheuscommunity/postgres-exporter', undefined],
    ['dpage/pgadmin4', undefined],
    ['oliver006/redis_exporter', undefined],
    ['adorsys/keycloak-config-cli', undefined],
    ['busybox', undefined],
  ])('%s is %s', (image, role) => {
    expect(serviceRole({image, ports: []})).toBe(role)
  })

  const port = (target: number): ComposePort => ({
    project: 'p',
    service: 's',
    hostIp: '',
    published: target + 1,
    target,
    protocol: 'tcp',
  })

  it.each([
    [5432, 'postgresql'],
    [6379, 'redis'],
    [6333, 'qdrant'],
    [4000, 'litellm'],
    [8080, undefined],
  ])('a service without a known image publishing container port %i is %s', (target, role) => {
    expect(serviceRole({ports: [port(target)]})).toBe(role)
    expect(serviceRole({image: 'my/own-image', ports: [port(target)]})).toBe(role)
  })

  it('trusts the image over the port', () => {
    expect(serviceRole({image: 'redis:7', ports: [port(5432)]})).toBe('redis')
  })

  it('reads the last image segment without registry, tag or digest', () => {
    expect(imageName('registry.example:5000/team/Postgres:16@sha256:1')).toBe('postgres')
  })
})

describe('finding the service of a role', () => {
  const service = (name: string, extra: Partial<ComposeService> = {}): ComposeService => ({
    name,
    ports: [],
    environment: {},
    ...extra,
  })
  const project = (...services: ComposeService[]): ComposeProject => ({
    name: 'geniro',
    source: 'file',
    workingDir: '/w',
    files: ['/w/compose.yaml'],
    services,
  })

  it('finds the one service of the role', () => {
    const found = findServiceByRole(
      project(service('db', {role: 'postgresql', roleBy: 'image'}), service('cache')),
      'postgresql',
    )
    expect(found.name).toBe('db')
  })

  it('prefers the service recognised by its image over one recognised by its port', () => {
    const found = findServiceByRole(
      project(
        service('pgbouncer', {role: 'postgresql', roleBy: 'port'}),
        service('db', {role: 'postgresql', roleBy: 'image'}),
      ),
      'postgresql',
    )
    expect(found.name).toBe('db')
  })

  it('says when there is none and lists the services', () => {
    const error = caught(() => findServiceByRole(project(service('api'), service('web')), 'qdrant'))
    expect(error.message).toBe('no Qdrant service found in Compose project "geniro"')
    expect(error.hint).toBe('Pass --compose-service NAME to pick one of: api, web')
  })

  it('names the candidates when ambiguous and says to pass --compose-service', () => {
    const error = caught(() =>
      findServiceByRole(
        project(
          service('db', {role: 'postgresql', roleBy: 'image'}),
          service('db-test', {role: 'postgresql', roleBy: 'image'}),
        ),
        'postgresql',
      ),
    )
    expect(error.message).toBe(
      'more than one PostgreSQL service in Compose project "geniro": db, db-test',
    )
    expect(error.hint).toContain('--compose-service')
  })

  it('takes the override, whatever its role', () => {
    expect(findServiceByRole(project(service('pg'), service('db')), 'postgresql', 'pg').name).toBe(
      'pg',
    )
  })

  it('refuses an override that does not exist', () => {
    const error = caught(() => findServiceByRole(project(service('db')), 'postgresql', 'postgres'))
    expect(error.message).toBe('Compose project "geniro" has no service "postgres"')
    expect(error.hint).toBe('Its services: db')
  })

  describe('a service under a profile that is not active', () => {
    const dormant = {
      ...project(service('api')),
      inactive: [service('db', {role: 'postgresql', roleBy: 'image', profiles: ['db', 'all']})],
    }

    it('is named with its profile when none of the role is active', () => {
      const error = caught(() => findServiceByRole(dormant, 'postgresql'))
      expect(error.message).toBe(
        'no active PostgreSQL service in Compose project "geniro": db is under profile "db" or "all", which is not active',
      )
      expect(error.hint).toBe(
        'Pass --profile db (or set COMPOSE_PROFILES=db), as for docker compose',
      )
    })

    it('is named with its profile when it is the override, not "no service"', () => {
      const error = caught(() => findServiceByRole(dormant, 'postgresql', 'db'))
      expect(error.message).toBe(
        'no active service "db" in Compose project "geniro": db is under profile "db" or "all", which is not active',
      )
      expect(error.hint).toContain('--profile db')
    })
  })
})
