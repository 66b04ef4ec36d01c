import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {formatFloat32, parseHelmYaml, stringifyHelmYaml} from '../../src/core/helm-yaml.js'
import {isSecretKey, redactSecretValues} from '../../src/core/secret-values.js'
import {
  mergeValues,
  parseSet,
  parseSets,
  redactSetArgument,
  setLayerValues,
} from '../../src/core/set-values.js'

describe('--set typing, as Helm’s typedVal', () => {
  it.each([
    ['True', true],
    ['FALSE', false],
    ['NULL', null],
    ['nUlL', null],
    ['falſe', false],
    ['0', 0],
    ['-0', 0],
    ['+5', 5],
    ['-007', -7],
    ['9223372036854775807', Number(9223372036854775807n)],
    ['9223372036854775808', '9223372036854775808'],
    ['007', '007'],
    ['00', '00'],
    ['1e3', '1e3'],
    ['0x10', '0x10'],
    ['1.5', '1.5'],
    ['1_000', '1_000'],
    ['yes', 'yes'],
    ['', ''],
  ])('a=%s', (value, expected) => {
    expect(parseSet(`a=${value}`)).toEqual({a: expected})
  })
})

describe('--set syntax, as Helm’s strvals', () => {
  it.each([
    ['a={x,y}z=1', {a: ['x', 'y'], z: 1}],
    ['a={x\\,y,z}', {a: ['x,y', 'z']}],
    ['a=x=y', {a: 'x=y'}],
    ['a\\=b=c', {'a=b': 'c'}],
    ['a\\[0\\]=1', {'a[0]': 1}],
    ['a[+1]=x', {a: [null, 'x']}],
    ['a[0][1]=x', {a: [[null, 'x']]}],
    ['a[0]=1,a[0].b=2', {a: [{b: 2}]}],
    ['a[0]', {a: []}],
    ['a.', {}],
    ['a=x\\', {a: 'x'}],
    ['a= spaced ', {a: ' spaced '}],
  ])('%s', (argument, expected) => {
    expect(parseSet(argument)).toEqual(expected)
  })

  it('parses every --set into the ones before it (Helm’s ParseInto)', () => {
    expect(parseSets(['a[0]=1', 'a[2]=3'])).toEqual({a: [1, null, 3]})
    expect(() => parseSets(['a=1', 'a.b=2'])).toThrowError(/"a" is a number, not a map/)
    expect(() => parseSets(['a=null', 'a.b=1'])).toThrowError(/"a" is null, not a map/)
  })

  it('refuses list indexes above 65536 before allocating anything', () => {
    expect(() => parseSet('a[99999999]=1')).toThrowError(
      /index of 99999999 is greater than maximum supported index of 65536/,
    )
    expect(parseSet('a[65536]=1').a).toHaveLength(65537)
  })

  it('refuses names nested deeper than 30 levels', () => {
    const deep = Array.from({length: 32}, (_, i) => `k${i}`).join('.')
    expect(() => parseSet(`${deep}=1`)).toThrowError(/maximum supported nested level of 30/)
    expect(() => parseSet(`${deep.split('.').slice(0, 31).join('.')}=1`)).not.toThrow()
  })

  it('keeps __proto__, constructor and prototype as plain keys', () => {
    const values = parseSets([
      '__proto__.polluted=1',
      'constructor.prototype.polluted=2',
      'toString=3',
    ])
    expect(Object.keys(values)).toEqual(['__proto__', 'constructor', 'toString'])
    expect(JSON.parse(JSON.stringify(values))).toEqual({
      ['__proto__']: {polluted: 1},
      constructor: {prototype: {polluted: 2}},
      toString: 3,
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    const merged = mergeValues({}, values)
    expect(Object.getPrototypeOf(merged)).toBeNull()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('does not change the values it parses into', () => {
    const base = {list: [1, 2, 3], a: {b: 1}}
    expect(parseSets(['list[1]=x', 'a.c=2'], base)).toEqual({list: [1, 'x', 3], a: {b: 1, c: 2}})
    expect(base).toEqual({list: [1, 2, 3], a: {b: 1}})
  })
})

describe('the --set layer over the values files', () => {
  it('holds the keys --set names, with their values after Helm’s --set over the files', () => {
    const base = {list: [1, 2, 3], a: {b: 1, c: 2}, keep: true}
    const layer = setLayerValues(base, ['list[1]=x', 'a.b=3'])
    expect(layer).toEqual({list: [1, 'x', 3], a: {b: 3}})
    expect(mergeValues(base, layer)).toEqual({list: [1, 'x', 3], a: {b: 3, c: 2}, keep: true})
  })

  it('refuses what Helm refuses over the files', () => {
    expect(() => setLayerValues({a: 1}, ['a.b=2'])).toThrowError(UsageError)
  })
})

describe('--set values are never shown', () => {
  it.each([
    ['secrets.providerKeys.OPENAI_API_KEY=sk-SECRET', 'secrets.providerKeys.OPENAI_API_KEY=***'],
    ['a=1,b.c=sk-SECRET', 'a=***,b.c=***'],
    ['list={sk-SECRET,x},next=sk-SECRET', 'list=***,next=***'],
    ['a=x\\,sk-SECRET', 'a=***'],
    ['a=x=sk-SECRET', 'a=***'],
    ['sk-SECRET', '…'],
    ['a=1,sk-SECRET', 'a=***,…'],
    ['a={x,sk-SECRET', 'a=***'],
  ])('%s is shown as %s', (argument, shown) => {
    expect(redactSetArgument(argument)).toBe(shown)
  })

  it.each([
    'secrets.providerKeys.OPENAI_API_KEY',
    'sk-SECRET',
    'a[0]sk-SECRET',
    'a={x,sk-SECRET',
    'a=sk-SECRET,a.b=1',
    'a=1,sk-SECRET.b',
  ])('a parse error of %s names no value', (argument) => {
    let message = ''
    try {
      parseSet(argument)
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError)
      message = (error as Error).message
    }
    expect(message).toMatch(/^bad --set "/)
    expect(message).not.toContain('sk-SECRET')
    expect(message).not.toContain('\n')
  })
})

describe('secrets in `geniro-dev values`', () => {
  it.each([
    ['postgresPassword', true],
    ['qdrantApiKey', true],
    ['litellmMasterKey', true],
    ['litellmSaltKey', true],
    ['daytonaRunnerToken', true],
    ['daytonaEncryptionSalt', true],
    ['OPENAI_API_KEY', true],
    ['api_key', true],
    ['clientSecret', true],
    ['existingSecret', false],
    ['existingSecretPasswordKey', false],
    ['existingSecretApiKeyKey', false],
    ['caSecretKey', false],
    ['secretName', false],
    ['imagePullSecrets', false],
    ['providerKeys', false],
    ['keycloak', false],
    ['externalKeycloak', false],
    ['replicaCount', false],
  ])('%s holds a secret: %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret)
  })

  it('hides every value under secrets and of secret keys, and keeps the rest', () => {
    const {values, redacted} = redactSecretValues({
      secrets: {postgresPassword: 'pw', providerKeys: {OPENAI_API_KEY: 'sk-1'}, empty: ''},
      api: {
        replicaCount: 2,
        extraEnv: [
          {name: 'ANTHROPIC_API_KEY', value: 'sk-2'},
          {name: 'LOG_LEVEL', value: 'debug'},
        ],
      },
      externalRedis: {existingSecret: 'geniro-dev-bridge-redis', existingSecretPasswordKey: 'pw'},
      litellm: {models: [{litellm_params: {api_key: 'os.environ/X'}}]},
      serviceAccount: {automountToken: false},
    })
    expect(values).toEqual({
      secrets: {postgresPassword: '***', providerKeys: {OPENAI_API_KEY: '***'}, empty: ''},
      api: {
        replicaCount: 2,
        extraEnv: [
          {name: 'ANTHROPIC_API_KEY', value: '***'},
          {name: 'LOG_LEVEL', value: 'debug'},
        ],
      },
      externalRedis: {existingSecret: 'geniro-dev-bridge-redis', existingSecretPasswordKey: 'pw'},
      litellm: {models: [{litellm_params: {api_key: '***'}}]},
      serviceAccount: {automountToken: false},
    })
    expect(redacted).toEqual([
      'secrets.postgresPassword',
      'secrets.providerKeys.OPENAI_API_KEY',
      'api.extraEnv[0].value',
      'litellm.models[0].litellm_params.api_key',
    ])
  })
})

describe('values files, read as Helm reads them (YAML 1.1)', () => {
  it.each([
    ['enabled: no', {enabled: false}],
    ['a: On', {a: true}],
    ['a: y', {a: true}],
    ['y: 1', {true: 1}],
    ['mode: 0755', {mode: 493}],
    ['a: 0o17', {a: 15}],
    ['a: 08', {a: 8}],
    ['a: 1_000', {a: 1000}],
    ['a: 190:20:30', {a: '190:20:30'}],
    ['a: 2001-12-14', {a: '2001-12-14'}],
    ['a: "yes"', {a: 'yes'}],
    ['a: !!str 0755', {a: '0755'}],
    ['a:', {a: null}],
    ['1.5: a', {'1.5': 'a'}],
    ['a: {p: 1, <<: {p: 2, q: 3}}', {a: {p: 2, q: 3}}],
  ])('%s', (text, expected) => {
    expect(parseHelmYaml(text)).toEqual(expected)
  })

  it.each([
    ['x: .inf', /unsupported value: \+Inf/],
    ['~: 1', /unsupported map key/],
    ['a: {x: 1}\n---\nb: 2', /several YAML documents/],
    ['a: &x {b: *x}', /contains itself|unknown anchor/],
  ])('refuses %j', (text, message) => {
    expect(() => parseHelmYaml(text)).toThrowError(message)
  })

  it.each([
    [1, '1'],
    [1000, '1000'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [0.1, '0.1'],
    [0.00001, '1e-05'],
    [3.14159265, '3.1415927'],
    [-2.5, '-2.5'],
  ])('a float key %d is "%s" (float32 %%g)', (value, text) => {
    expect(formatFloat32(value)).toBe(text)
  })

  it('writes YAML Helm reads back unchanged: strings YAML 1.1 would retype are quoted', () => {
    const values = {
      a: 'yes',
      b: 'on',
      c: '0755',
      d: '1_000',
      e: 'y',
      f: '',
      g: '~',
      h: '.5',
      '0x10': 'x',
      '<<': 'merge',
      n: 1.5,
      t: true,
    }
    const text = stringifyHelmYaml(values)
    expect(text).toContain('a: "yes"')
    expect(text).toContain('"<<": merge')
    expect(parseHelmYaml(text)).toEqual(values)
  })
})
