#!/usr/bin/env node
// Resource footprint of a chart render: per workload the CPU and memory requests and limits
// a scheduler reserves (max of the init containers and the sum of the app containers, times
// replicas), and the total. Part of `npm run bench`; also usable alone:
//
//   node scripts/chart-footprint.mjs [-f values.yaml ...]
import {execFileSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import YAML from 'yaml'

const CHART = fileURLToPath(new URL('../helm/geniro', import.meta.url))
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet'])

/** Kubernetes quantity → number (CPU in cores, memory in bytes). */
export function parseQuantity(text) {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(text))
  if (!match) throw new Error(`not a quantity: ${text}`)
  const units = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  }
  if (!(match[2] in units)) throw new Error(`unknown unit in ${text}`)
  return Number(match[1]) * units[match[2]]
}

const sum = (containers, kind, resource) =>
  containers.reduce((total, c) => total + parseQuantity(c.resources?.[kind]?.[resource] ?? 0), 0)
const max = (containers, kind, resource) =>
  Math.max(0, ...containers.map((c) => parseQuantity(c.resources?.[kind]?.[resource] ?? 0)))

/** One row per workload: {name, replicas, cpuRequest, memRequest, cpuLimit, memLimit, unbounded}. */
export function footprint(objects) {
  return objects
    .filter((o) => WORKLOADS.has(o.kind))
    .map((o) => {
      const spec = o.spec.template.spec
      const app = spec.containers
      const init = spec.initContainers ?? []
      const replicas = o.spec.replicas ?? 1
      const effective = (kind, resource) =>
        replicas * Math.max(sum(app, kind, resource), max(init, kind, resource))
      const unbounded = [...app, ...init]
        .filter((c) => !c.resources?.limits?.cpu || !c.resources?.limits?.memory)
        .map((c) => c.name)
      return {
        name: `${o.kind}/${o.metadata.name}`,
        replicas,
        cpuRequest: effective('requests', 'cpu'),
        memRequest: effective('requests', 'memory'),
        cpuLimit: effective('limits', 'cpu'),
        memLimit: effective('limits', 'memory'),
        unbounded,
      }
    })
}

export function renderChart(helm, valuesFiles = []) {
  const args = ['template', 'geniro', CHART, ...valuesFiles.flatMap((f) => ['-f', f])]
  const text = execFileSync(helm, args, {encoding: 'utf8', maxBuffer: 64 * 2 ** 20})
  return YAML.parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter(Boolean)
}

export function formatFootprint(rows) {
  const mi = (bytes) => `${(bytes / 2 ** 20).toFixed(0)}Mi`
  const cpu = (cores) => `${(cores * 1000).toFixed(0)}m`
  const total = (key) => rows.reduce((t, r) => t + r[key], 0)
  const lines = [
    `${'workload'.padEnd(44)}${'req cpu'.padStart(9)}${'req mem'.padStart(9)}${'lim cpu'.padStart(9)}${'lim mem'.padStart(9)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(44)}${cpu(r.cpuRequest).padStart(9)}${mi(r.memRequest).padStart(9)}${cpu(r.cpuLimit).padStart(9)}${mi(r.memLimit).padStart(9)}`,
    ),
    `${'total'.padEnd(44)}${cpu(total('cpuRequest')).padStart(9)}${mi(total('memRequest')).padStart(9)}${cpu(total('cpuLimit')).padStart(9)}${mi(total('memLimit')).padStart(9)}`,
  ]
  const unbounded = rows.flatMap((r) => r.unbounded.map((c) => `${r.name}:${c}`))
  lines.push(
    unbounded.length
      ? `UNBOUNDED containers: ${unbounded.join(', ')}`
      : 'every container has cpu and memory limits',
  )
  return lines.join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const helm = process.env.HELM ?? 'helm'
  const files = process.argv.slice(2).filter((a, i, all) => a !== '-f' && all[i - 1] === '-f')
  console.log(formatFootprint(footprint(renderChart(helm, files))))
}
