import {beforeAll, describe, expect, it} from 'vitest'
import {
  chartValuesFiles,
  HELM_NAMES,
  HELMS,
  helmVersion,
  idOf,
  lintChart,
  renderChart,
} from '../support/helm.js'

// Every ci/ and examples/ file, discovered (a new file is linted without touching this test),
// plus the chart's defaults.
const VALUES_FILES = chartValuesFiles()
const CASES: Array<{name: string; file?: string}> = [
  {name: 'the default values'},
  ...VALUES_FILES.map((file) => ({name: file, file})),
]

beforeAll(async () => {
  // Run every helm process up front through the helper's small pool; the tests read the cache.
  await Promise.allSettled(
    HELM_NAMES.flatMap((helm) =>
      CASES.flatMap(({file}) => [
        lintChart(file ? {helm, valuesFile: file} : {helm}),
        renderChart({helm, valuesFiles: file ? [file] : []}),
      ]),
    ),
  )
})

for (const helm of HELM_NAMES) {
  const {label, version} = HELMS[helm]
  describe(label, () => {
    it(`is the toolchain's ${version}`, async () => {
      expect(await helmVersion(helm)).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}\\b`))
    })

    for (const {name, file} of CASES) {
      it(`lints the chart with ${name} under --strict`, async () => {
        const lint = await lintChart(file ? {helm, valuesFile: file} : {helm})
        expect(lint.code, `${lint.command}\n${lint.output}`).toBe(0)
        expect(lint.output, lint.command).not.toMatch(/\[(ERROR|WARNING)\]/)
        expect(lint.output, lint.command).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/)
      })

      it(`renders the chart with ${name}`, async () => {
        const render = await renderChart({helm, valuesFiles: file ? [file] : []})
        expect(render.objects.length, render.command).toBeGreaterThan(0)
        for (const obj of render.objects) {
          expect(typeof obj.apiVersion, `${render.command}: ${idOf(obj)}`).toBe('string')
          expect(typeof obj.kind, `${render.command}: ${idOf(obj)}`).toBe('string')
          expect(typeof obj.metadata?.name, `${render.command}: ${idOf(obj)}`).toBe('string')
        }
      })
    }
  })
}

it('finds the ci/ and examples/ values files to check', () => {
  expect(VALUES_FILES.filter((f) => f.startsWith('ci/')).length).toBeGreaterThan(0)
  expect(VALUES_FILES.filter((f) => f.startsWith('examples/')).length).toBeGreaterThan(0)
})
