/**
 * geniro-dev's reading of `--set` and of values files against the REAL helm (4 and 3): each
 * input is rendered by `helm template` with a throwaway chart whose only template is
 * `{{ toJson .Values }}`, and compared with what geniro-dev computes (what it compares with
 * the release and gives Helm). Inputs Helm refuses, geniro-dev refuses with one line that names
 * the key and never the value. What geniro-dev writes back for Helm (the generated values file,
 * the `values` YAML) is read by Helm as the same values.
 */
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {readValuesFile, writeGeneratedValues} from '../../src/adapters/values-files.js'
import {UsageError, UserError} from '../../src/core/errors.js'
import {stringifyHelmYaml} from '../../src/core/helm-yaml.js'
import {mergeValues, parseSets, setLayerValues, type Values} from '../../src/core/set-values.js'
import {TOOLS, requireTool} from '../support/toolchain.js'

const run = promisify(execFile)

let dir: string
let chart: string
let fileCount = 0

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gdev-set-parity-'))
  chart = join(dir, 'chart')
  mkdirSync(join(chart, 'templates'), {recursive: true})
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: parity\nversion: 0.1.0\n')
  writeFileSync(
    join(chart, 'templates', 'values.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parity\ndata:\n  values: {{ toJson .Values | quote }}\n',
  )
})

afterAll(() => rmSync(dir, {recursive: true, force: true}))

function file(text: string): string {
  const path = join(dir, `values-${++fileCount}.yaml`)
  writeFileSync(path, text)
  return path
}

type HelmResult = {ok: true; values: Values} | {ok: false; error: string}

/** The user values as `helm template` sees them, or Helm's error. */
async function helmValues(helm: string, args: string[]): Promise<HelmResult> {
  try {
    const {stdout} = await run(helm, ['template', 'x', chart, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    })
    const doc = parse(stdout) as {data: {values: string}}
    return {ok: true, values: JSON.parse(doc.data.values) as Values}
  } catch (error) {
    const stderr = (error as {stderr?: string}).stderr ?? String(error)
    return {ok: false, error: stderr.split('\n')[0]!}
  }
}

/** What geniro-dev makes of it: -f files merged, then --set parsed into them, as `up` does. */
async function geniroValues(files: string[], sets: string[]): Promise<Values> {
  let merged: Values = {}
  for (const path of files) merged = mergeValues(merged, await readValuesFile(path))
  return sets.length > 0 ? mergeValues(merged, setLayerValues(merged, sets)) : merged
}

async function geniroOutcome(
  files: string[],
  sets: string[],
): Promise<{ok: true; values: Values} | {ok: false; error: Error}> {
  try {
    return {ok: true, values: await geniroValues(files, sets)}
  } catch (error) {
    return {ok: false, error: error as Error}
  }
}

const SECRET = 'S3CR3T'

/** --set inputs: each row is the arguments of one `--set` flag each. */
const SET_CASES: string[][] = [
  ['a=b'],
  ['api.replicaCount=2'],
  ['a.b=true,a.c=false,a.d=null'],
  ['a=True,b=FALSE,c=Null,d=NULL,e=tRuE,f=nULL'],
  ['a=+5,b=-5,c=1e3,d=0x10,e=007,f=0,g=-0,h=00,i=1.5,j=-007,k=+0'],
  [
    'big=9223372036854775807,over=9223372036854775808,neg=-9223372036854775808,under=-9223372036854775809',
  ],
  ['a=yes,b=no,c=on,d=off,e=y,f=n,g=~,h=0755,i=1_000'],
  ['name=x\\,y'],
  ['tag=1.17.2-latest'],
  ['list={a,b,3}'],
  ['empty={}'],
  ['hosts[0].host=x,hosts[1].host=y'],
  ['commonLabels.app\\.kubernetes\\.io/team=core'],
  ['url=http://a:80/x?y=1&z=2'],
  ['a='],
  ['a=,b=1'],
  ['a[0]=1', 'a[2]=3'],
  ['a[+1]=x'],
  ['a[0][1]=x'],
  ['a[0]=1,a[0].b=2'],
  ['=x'],
  ['a[0]'],
  ['a.'],
  ['__proto__.polluted=1'],
  ['constructor.prototype.x=1'],
  ['prototype=1,toString=2,hasOwnProperty.x=3,valueOf[0]=4'],
  ['a={x,y}z=1'],
  ['a={x\\,y,z}'],
  ['a=x=y'],
  ['a\\=b=c'],
  ['a\\[0\\]=1'],
  ['a=1', 'a=2'],
  ['a.b=1', 'a.c=2'],
  ['a={1,true,null,007,TRUE}'],
  ['a=falſe'],
  ['a= spaced value '],
  ['a=x\\'],
  ['a.b.c.d=1,a.b.e=2'],
  ['list={}', 'list[1]=x'],
  ['a[65536]=1'],
  ['ключ=значение,emoji=🙂'],
  ['a[0].b[1].c=d'],
  [`secrets.providerKeys.OPENAI_API_KEY=${SECRET}`],
  [`${Array.from({length: 31}, (_, i) => `k${i}`).join('.')}=1`],
  // Refused by Helm:
  ['x=1', 'x.y=2'],
  ['a=null', 'a.b=1'],
  ['a=1', 'a[0]=2'],
  ['a[99999999]=1'],
  ['a[65537].b=1'],
  ['novalue'],
  [`${SECRET}`],
  ['a,b=1'],
  ['a[x]=1'],
  ['a[-1]=1'],
  ['a[0]x=1'],
  [`a={x,${SECRET}`],
  ['a..b=1'],
  [`${Array.from({length: 32}, (_, i) => `k${i}`).join('.')}=1`],
]

/** Values files (and --set over them). */
const FILE_CASES: Array<{name: string; files: string[]; sets?: string[]}> = [
  {name: 'YAML 1.1 booleans', files: ['enabled: no\nother: yes\non: off\n']},
  {name: 'single-letter booleans', files: ['a: y\nb: n\nc: Y\nd: N\ne: YES\nf: Off\ng: TRUE\n']},
  {
    name: 'octal, hex and binary integers',
    files: ['mode: 0755\nhex: 0x1F\nneg: -0x10\noct: 0o17\nbin: 0b101\nbad: 08\nplus: +0x1F\n'],
  },
  {
    name: 'underscores and floats',
    files: ['u: 1_000\nf: 1e3\ng: .5\nh: +.5\ni: 1.e5\nj: 0.\nk: 1.0\nl: 0x_FF\nm: 1__\n'],
  },
  {
    name: 'timestamps and sexagesimal stay strings',
    files: ['time: 190:20:30\ndate: 2001-12-14\nts: 2001-12-14t21:59:43.10-05:00\n'],
  },
  {name: 'nulls', files: ['n1: ~\nn2: Null\nn3:\nn4: NULL\n']},
  {
    name: 'numbers beyond 64 bits',
    files: [
      'big: 9223372036854775807\nhuge: 99999999999999999999\nhexhuge: 0xFFFFFFFFFFFFFFFFF\nbigneg: -9223372036854775809\nover: 1.7976931348623157e309\n',
    ],
  },
  {
    name: 'merge keys override what is before them',
    files: [
      'base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\nover:\n  y: 0\n  <<: *b\nlist:\n  <<: [{a: 1}, {a: 2, b: 2}]\n',
    ],
  },
  {
    name: 'map keys as Helm turns them into strings',
    files: ['yes: 1\n1: a\n0x10: b\n1.5: c\n3.14159265: d\n1e3: e\n0.1: f\n1e7: g\n0.00001: h\n'],
  },
  {
    name: 'explicit tags',
    files: [
      'x: !!str 5\ny2: !!int "7"\nz: !!null ""\nw: !foo bar\nv: !!float 1\nu: !!bool yes\nb: !!binary aGVsbG8=\nt: !!timestamp 2001-12-14\ne: ! 12\n',
    ],
  },
  {
    name: 'quoted and block scalars',
    files: ["q1: \"yes\"\nq2: '0755'\nlit: |\n  multi\n  line\nfold: >\n  a\n  b\ns: 'it''s'\n"],
  },
  {name: 'duplicate keys: the last wins', files: ['x: 1\nx: 2\n']},
  {name: 'a trailing empty document', files: ['a: 1\n---\n']},
  {name: 'only a comment', files: ['# nothing\n']},
  {
    name: '__proto__ and constructor are plain keys',
    files: ['__proto__: {polluted: 1}\nconstructor: {prototype: {x: 1}}\n'],
  },
  {name: 'aliases of lists', files: ['a: &x [1, 2]\nb: *x\nc: [a: 1]\n']},
  {name: 'invalid UTF-8 in !!binary', files: ['x: !!binary "/w=="\n']},
  {
    name: 'later files merge maps and replace lists',
    files: ['a: {b: 1, c: [1, 2]}\n', 'a: {c: [3]}\n'],
  },
  {
    name: '--set changes one item of a list from a file',
    files: ['list: [1, 2, 3]\n'],
    sets: ['list[1]=x'],
  },
  {name: '--set into a map from a file', files: ['a: {b: 1, c: 2}\n'], sets: ['a.b=3', 'a.d=yes']},
  {name: '--set over a null from a file', files: ['a: null\n'], sets: ['a=1']},
  // Refused by Helm:
  {
    name: 'a key set both as a value (file) and as a map (--set)',
    files: ['a: 1\n'],
    sets: ['a.b=2'],
  },
  {name: 'infinity', files: ['x: .inf\n']},
  {name: 'NaN', files: ['x: .NaN\n']},
  {name: 'a null key', files: ['~: 1\n']},
  {name: 'a tag that does not fit', files: ['x: !!int abc\n']},
  {name: 'invalid base64', files: ['x: !!binary aGVsbG8\n']},
  {name: 'a list at the top', files: ['- 1\n']},
  {name: 'a string at the top', files: ['hello\n']},
  {name: 'broken syntax', files: ['a: [1, 2\n']},
  {name: 'a tab in the indentation', files: ['x: 1\n\ty: 2\n']},
  {name: 'a list as a key', files: ['? [a]\n: 1\n']},
  {name: 'a %YAML 1.2 directive', files: ['%YAML 1.2\n---\na: yes\n']},
]

/** geniro-dev writes values back for Helm: the generated file (JSON) and `values` (YAML). */
async function expectHelmReadsBack(helm: string, values: Values): Promise<void> {
  const json = join(dir, `generated-${++fileCount}.yaml`)
  await writeGeneratedValues(json, values)
  expect(await helmValues(helm, ['-f', json])).toEqual({ok: true, values})
  expect(await helmValues(helm, ['-f', file(stringifyHelmYaml(values))])).toEqual({
    ok: true,
    values,
  })
}

describe.each([
  ['helm4', TOOLS.helm4],
  ['helm3', TOOLS.helm3],
] as const)('parity with the real %s', (_name, binary) => {
  const helm = () => requireTool(binary)

  it.each(SET_CASES.map((sets) => [sets.map((s) => `--set ${s}`).join(' '), sets] as const))(
    '%s',
    async (_title, sets) => {
      const [expected, actual] = await Promise.all([
        helmValues(
          helm(),
          sets.flatMap((set) => ['--set', set]),
        ),
        geniroOutcome([], sets),
      ])
      if (expected.ok) {
        expect(actual).toEqual({ok: true, values: expected.values})
        await expectHelmReadsBack(helm(), expected.values)
        return
      }
      expect(actual.ok, `helm refused it: ${expected.error}`).toBe(false)
      const error = (actual as {error: Error}).error
      expect(error).toBeInstanceOf(UsageError)
      expect(error.message).toMatch(/^bad --set "/)
      expect(error.message).not.toContain('\n')
      expect(error.message).not.toContain(SECRET)
      expect((error as UsageError).exitCode).toBe(2)
    },
  )

  it.each(FILE_CASES.map((c) => [c.name, c] as const))('values file: %s', async (_name, c) => {
    const paths = c.files.map(file)
    const sets = c.sets ?? []
    const [expected, actual] = await Promise.all([
      helmValues(helm(), [
        ...paths.flatMap((path) => ['-f', path]),
        ...sets.flatMap((set) => ['--set', set]),
      ]),
      geniroOutcome(paths, sets),
    ])
    if (expected.ok) {
      expect(actual).toEqual({ok: true, values: expected.values})
      await expectHelmReadsBack(helm(), expected.values)
      return
    }
    expect(actual.ok, `helm refused it: ${expected.error}`).toBe(false)
    const error = (actual as {error: Error}).error
    expect(error).toBeInstanceOf(sets.length > 0 ? UsageError : UserError)
    expect(error.message).not.toContain('\n')
  })
})

describe('values files Helm 3 and Helm 4 read differently', () => {
  it('refuses several non-empty documents (Helm 3 reads the first, Helm 4 merges them)', async () => {
    const path = file('a: {x: 1}\n---\na: {y: 2}\n')
    const [helm4, helm3] = await Promise.all([
      helmValues(requireTool(TOOLS.helm4), ['-f', path]),
      helmValues(requireTool(TOOLS.helm3), ['-f', path]),
    ])
    expect(helm4).not.toEqual(helm3)
    await expect(readValuesFile(path)).rejects.toThrow(/several YAML documents/)
  })
})

describe('--set Helm 3 and Helm 4 read differently', () => {
  it.each(['a[0', 'a[0][1', 'b=1,a[0'])(
    'refuses %s (Helm 3 refuses a list index without "]", Helm 4 ignores the pair)',
    async (set) => {
      const [helm4, helm3] = await Promise.all([
        helmValues(requireTool(TOOLS.helm4), ['--set', set]),
        helmValues(requireTool(TOOLS.helm3), ['--set', set]),
      ])
      expect(helm4.ok).toBe(true)
      expect(helm3).toMatchObject({ok: false, error: expect.stringMatching(/error parsing index/)})
      expect(() => parseSets([set])).toThrowError(/^bad --set ".*": error parsing index/)
    },
  )
})

describe('parseSets', () => {
  it('never touches Object.prototype', () => {
    parseSets(['__proto__.polluted=1', 'constructor.prototype.polluted=1'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
