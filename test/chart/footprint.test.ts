import {describe, expect, it} from 'vitest'
// @ts-expect-error: a plain ESM script shared with `npm run bench`, without type declarations.
import {footprint, parseQuantity, renderChart} from '../../scripts/chart-footprint.mjs'
import {TOOLS, requireTool} from '../support/toolchain.js'

interface Row {
  name: string
  cpuRequest: number
  memRequest: number
  unbounded: string[]
}

describe('chart footprint', () => {
  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25)
    expect(parseQuantity('2')).toBe(2)
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20)
    expect(parseQuantity('1Gi')).toBe(2 ** 30)
    expect(parseQuantity('1G')).toBe(1e9)
    expect(() => parseQuantity('1Zz')).toThrow(/unknown unit/)
  })

  it('the default install requests at most 1.2 CPU and 2.5 GiB, every container bounded', () => {
    const rows = footprint(renderChart(requireTool(TOOLS.helm4))) as Row[]
    const cpu = rows.reduce((total, row) => total + row.cpuRequest, 0)
    const memory = rows.reduce((total, row) => total + row.memRequest, 0)
    expect(rows.map((row) => row.name)).toContain('Deployment/geniro-api')
    expect(cpu).toBeLessThanOrEqual(1.2)
    expect(memory).toBeLessThanOrEqual(2.5 * 2 ** 30)
    expect(rows.flatMap((row) => row.unbounded)).toEqual([])
  })
})
