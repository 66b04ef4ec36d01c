/**
 * What `helm template` prints and the YAML files the chart ships are clean: no blank documents,
 * no trailing whitespace, no tabs, no duplicate keys.
 */
import {readFileSync} from 'node:fs'
import {parseAllDocuments} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'
import {chartPath, chartValuesFiles, renderChart, type RenderOptions} from '../support/helm.js'

const VALUES_FILES = chartValuesFiles()

const RENDERS: Array<{name: string; options: RenderOptions}> = [
  {name: 'the default values', options: {}},
  ...VALUES_FILES.map((file) => ({name: file, options: {valuesFiles: [file]}})),
  {
    name: 'ci/test-values.yaml as release other in namespace team-a',
    options: {release: 'other', namespace: 'team-a', valuesFiles: ['ci/test-values.yaml']},
  },
  {
    name: 'ci/test-values.yaml under Helm 3.17.2',
    options: {helm: 'helm3', valuesFiles: ['ci/test-values.yaml']},
  },
]

beforeAll(async () => {
  await Promise.allSettled(RENDERS.map(({options}) => renderChart(options)))
})

/** Lines of helm's output that match, as `template:line: text` (line within the output). */
function offendingLines(raw: string, pattern: RegExp): string[] {
  let source = '(before the first document)'
  return raw.split('\n').flatMap((line, i) => {
    const header = /^# Source: (\S+)/.exec(line)
    if (header?.[1]) source = header[1]
    return pattern.test(line) ? [`${source} (output line ${i + 1}): ${JSON.stringify(line)}`] : []
  })
}

describe('helm template output', () => {
  for (const {name, options} of RENDERS) {
    describe(`with ${name}`, () => {
      it('has no empty YAML documents', async () => {
        const r = await renderChart(options)
        const empty = r.emptyDocuments.map((d) => d.source ?? `document ${d.index}`)
        expect(empty).toEqual([])
      })

      it('has no trailing whitespace', async () => {
        const r = await renderChart(options)
        expect(offendingLines(r.raw, /[ \t]+$/)).toEqual([])
      })

      it('has no tab characters', async () => {
        const r = await renderChart(options)
        expect(offendingLines(r.raw, /\t/)).toEqual([])
      })
    })
  }
})

describe('the chart’s YAML files', () => {
  const FILES = ['values.yaml', 'Chart.yaml', ...VALUES_FILES]

  for (const file of FILES) {
    describe(file, () => {
      const text = () => readFileSync(chartPath(file), 'utf8')

      it('is one strictly valid YAML document without duplicate keys', () => {
        const docs = parseAllDocuments(text(), {prettyErrors: true, uniqueKeys: true, strict: true})
        const problems = (Array.isArray(docs) ? docs : [docs]).flatMap((doc) => [
          ...doc.errors.map((e) => `error: ${e.message}`),
          ...doc.warnings.map((w) => `warning: ${w.message}`),
        ])
        expect(problems).toEqual([])
        expect(Array.isArray(docs) ? docs.length : 0, 'documents').toBe(1)
      })

      it('has no tabs, trailing spaces or carriage returns', () => {
        const lines = text().split('\n')
        const problems = lines.flatMap((line, i) => [
          ...(/\t/.test(line) ? [`line ${i + 1}: tab`] : []),
          ...(/[ \t]+$/.test(line) ? [`line ${i + 1}: trailing whitespace`] : []),
          ...(/\r/.test(line) ? [`line ${i + 1}: carriage return`] : []),
        ])
        expect(problems).toEqual([])
      })

      it('ends with exactly one newline', () => {
        const content = text()
        expect(content.endsWith('\n'), 'ends with a newline').toBe(true)
        expect(content.endsWith('\n\n'), 'ends with blank lines').toBe(false)
      })
    })
  }
})
