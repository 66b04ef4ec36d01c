/* global structuredClone */
// The helm fake. Everything that needs no cluster (template, lint, version, show, package,
// dependency, repo, ...) is the REAL helm of $GENIRO_FAKE_REAL_HELM, so the fake is Helm 3 or
// Helm 4 as that binary is. The cluster side (install, upgrade, uninstall, status, list, get,
// history, rollback) keeps releases in the fake cluster's state:
//   - flags are judged by the real binary (`<argv> --help` fails exactly where the real call
//     would, with its words, and prints its deprecation warnings);
//   - an install/upgrade renders with the real `helm template` (same values, namespace, the
//     cluster's Kubernetes version), so bad values fail as real Helm fails;
//   - `--wait` waits on the fake pods, which fail-release.json can break.
import {existsSync, readFileSync, readdirSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {
  all,
  die,
  err,
  fromRfc3339Nano,
  goJson,
  goYaml,
  isTrue,
  last,
  loadCluster,
  now,
  out,
  parseDuration,
  parseFlags,
  parseValuesYaml,
  parseYaml,
  readJson,
  realTool,
  recordCall,
  runCaptured,
  saveCluster,
  sleepMs,
  statePath,
  struct,
  withLock,
  writeJson,
} from './common.mjs'
import {replayFailure} from './failures.mjs'
import {applyRelease, removeRelease, resolveContext, unreadyWorkloads} from './cluster.mjs'
import {mergeMaps, userValues} from './strvals.mjs'

const argv = process.argv.slice(2)
const realHelm = realTool('GENIRO_FAKE_REAL_HELM')

const GLOBAL_VALUE = [
  'kube-context',
  'kubeconfig',
  'namespace',
  'kube-apiserver',
  'kube-as-user',
  'kube-as-group',
  'kube-ca-file',
  'kube-token',
  'kube-tls-server-name',
  'burst-limit',
  'qps',
  'registry-config',
  'repository-cache',
  'repository-config',
  'content-cache',
  'color',
  'colour',
]
const CLUSTER_COMMANDS = {
  install: 'install',
  upgrade: 'upgrade',
  uninstall: 'uninstall',
  un: 'uninstall',
  del: 'uninstall',
  delete: 'uninstall',
  status: 'status',
  list: 'list',
  ls: 'list',
  get: 'get',
  history: 'history',
  hist: 'history',
  rollback: 'rollback',
}

const words = parseFlags(argv, {
  value: GLOBAL_VALUE,
  short: {n: 'namespace'},
  bool: [],
}).positionals
const command = CLUSTER_COMMANDS[words[0]]
const dryRunGiven = argv.some((a) => a === '--dry-run' || a.startsWith('--dry-run='))
const dryRunValue = argv.find((a) => a.startsWith('--dry-run='))?.slice('--dry-run='.length)
const isDryRun = dryRunGiven && !['false', 'none'].includes(dryRunValue ?? '')
const mutating = ['install', 'upgrade', 'uninstall', 'rollback'].includes(command) && !isDryRun
recordCall('helm', argv, mutating)
replayFailure('helm', argv)

if (!command || argv.includes('--help') || argv.includes('-h')) passThrough()

// ---------------------------------------------------------------- flags, context, namespace

const check = runCaptured(realHelm, [...argv, '--help'])
if (check.code !== 0) {
  out(check.stdout)
  err(check.stderr)
  process.exit(check.code)
}
// Deprecation warnings ("Flag --atomic has been deprecated, ...") are the real binary's.
err(check.stderr)
const major = helmMajor()
const parsed = parseFlags(argv, flagSpec(check.stdout))
const flags = parsed.flags
const args = parsed.positionals.slice(command === 'get' ? 2 : 1)

const kubeContext = last(flags, 'kube-context')
if (!kubeContext) die('Error: geniro-dev fake: every call must name --kube-context')
const target = resolveContext(kubeContext, last(flags, 'kubeconfig'))
if (target.missing) passThrough() // the real helm says the context does not exist
if (target.unreachable) {
  const where = new URL(target.unreachable)
  const host = `${where.hostname}:${where.port || (where.protocol === 'https:' ? 443 : 80)}`
  const prefix = command === 'install' ? 'INSTALLATION FAILED: ' : ''
  die(
    `Error: ${prefix}${major >= 4 ? 'kubernetes' : 'Kubernetes'} cluster unreachable: Get "${target.unreachable.replace(/\/$/, '')}/version": dial tcp ${host}: connect: connection refused`,
  )
}
const clusterId = target.cluster.id
const namespace = last(flags, 'namespace') || process.env.HELM_NAMESPACE || target.namespace
const output = (last(flags, 'output') ?? 'table').toLowerCase()

switch (command) {
  case 'install':
  case 'upgrade':
    withLock('clusters', () => upgrade(command === 'install'))
    break
  case 'uninstall':
    withLock('clusters', uninstall)
    break
  case 'status':
    status()
    break
  case 'list':
    list()
    break
  case 'get':
    get()
    break
  case 'history':
    history()
    break
  case 'rollback':
    withLock('clusters', rollback)
    break
}
process.exit(0)

function passThrough() {
  const run = runCaptured(realHelm, argv)
  out(run.stdout)
  err(run.stderr)
  process.exit(run.code)
}

/** The real binary's major version, cached per binary path and mtime. */
function helmMajor() {
  const cache = statePath('real-helm-version.json')
  const mtime = statSync(realHelm).mtimeMs
  const known = readJson(cache, {})
  if (known.path === realHelm && known.mtime === mtime) return known.major
  const version = runCaptured(realHelm, ['version', '--template', '{{.Version}}']).stdout.trim()
  const result = Number(/^v(\d+)/.exec(version)?.[1] ?? 3)
  writeJson(cache, {path: realHelm, mtime, version, major: result})
  return result
}

/**
 * Which flags take values, read from the real `--help` (pflag prints a type after flags that
 * take one, `type[=default]` for optional values); hidden deprecated ones are booleans.
 */
function flagSpec(help) {
  const spec = {
    value: [...GLOBAL_VALUE],
    optional: [],
    bool: ['atomic', 'force', 'help'],
    short: {n: 'namespace', h: 'help'},
  }
  for (const line of help.split('\n')) {
    const m = /^\s+(?:-(\w), )?--([\w-]+)(?: (\S+))?\s{2,}/.exec(line)
    if (!m) continue
    const [, letter, name, type] = m
    if (letter) spec.short[letter] = name
    if (!type) spec.bool.push(name)
    else if (type.includes('[=')) spec.optional.push(name)
    else spec.value.push(name)
  }
  // Anything the real helm accepted that the help does not list is a hidden boolean.
  const known = new Set([...spec.value, ...spec.optional, ...spec.bool])
  for (const a of argv) {
    const m = /^--([\w-]+)/.exec(a)
    if (m && !known.has(m[1])) spec.bool.push(m[1])
  }
  return spec
}

function requireArgs(count, use) {
  if (args.length === count) return
  const noun = count === 1 ? 'argument' : 'arguments'
  die(
    `Error: "helm ${words[0]}${command === 'get' ? ` ${words[1]}` : ''}" requires ${count} ${noun}\n\nUsage:  helm ${use} [flags]`,
  )
}

// ---------------------------------------------------------------- release storage

function key(name, ns = namespace) {
  return `${ns}/${name}`
}

function releaseFile(name, version, ns = namespace) {
  return statePath('releases', clusterId, ns, name, `${version}.json`)
}

function revisions(cluster, name, ns = namespace) {
  return cluster.releases[key(name, ns)] ?? []
}

function loadRelease(name, version, ns = namespace) {
  return readJson(releaseFile(name, version, ns), undefined)
}

function storeRelease(cluster, record) {
  writeJson(releaseFile(record.name, record.version, record.namespace), record)
  const summary = {
    version: record.version,
    status: record.status,
    description: record.description,
    firstDeployed: record.firstDeployed,
    lastDeployed: record.lastDeployed,
    chart: `${record.chart.metadata.name}-${record.chart.metadata.version}`,
    appVersion: record.chart.metadata.appVersion ?? '',
  }
  const list = revisions(cluster, record.name, record.namespace).filter(
    (r) => r.version !== record.version,
  )
  list.push(summary)
  list.sort((a, b) => a.version - b.version)
  cluster.releases[key(record.name, record.namespace)] = list
}

function setStatus(cluster, name, version, status, ns = namespace) {
  const record = loadRelease(name, version, ns)
  if (!record) return
  record.status = status
  storeRelease(cluster, record)
}

function forgetRelease(cluster, name, ns = namespace) {
  delete cluster.releases[key(name, ns)]
  rmSync(statePath('releases', clusterId, ns, name), {recursive: true, force: true})
}

function latest(cluster, name, ns = namespace) {
  const list = revisions(cluster, name, ns)
  return list[list.length - 1]
}

// ---------------------------------------------------------------- install / upgrade

function upgrade(installCommand) {
  if (installCommand) {
    if (args.length === 1 && !isTrue(flags, 'generate-name'))
      die('Error: INSTALLATION FAILED: must either provide a name or specify --generate-name')
    requireArgs(2, 'install [NAME] [CHART]')
  } else requireArgs(2, 'upgrade [RELEASE] [CHART]')
  const [name, chartRef] = args
  const cluster = loadCluster(clusterId)
  const previous = latest(cluster, name)
  const exists = previous !== undefined && previous.status !== 'uninstalled'
  const installing = installCommand || (isTrue(flags, 'install') && !exists)
  const failPrefix = installCommand ? 'INSTALLATION FAILED: ' : installing ? '' : 'UPGRADE FAILED: '
  const fail = (message) => die(`Error: ${failPrefix}${message}`)

  if (installCommand && exists) fail('cannot re-use a name that is still in use')
  if (!installing && !exists) fail(`"${name}" has no deployed releases`)
  // A helm killed while it waited left its revision pending-*: real Helm refuses to go on.
  if (exists && previous.status.startsWith('pending-'))
    fail('another operation (install/upgrade/rollback) is in progress')

  // --dry-run: Helm 4 warns about the bare and the boolean forms.
  if (major >= 4 && dryRunGiven && dryRunValue === undefined)
    err(`level=WARN msg="--dry-run is deprecated and should be replaced with '--dry-run=client'"\n`)
  if (major >= 4 && ['true', 'false'].includes(dryRunValue ?? ''))
    err(
      `level=WARN msg="boolean '--dry-run=${dryRunValue}' flag is deprecated and must be replaced with '--dry-run=${dryRunValue === 'true' ? 'client' : 'none'}'"\n`,
    )

  if (installing && !installCommand && output === 'table')
    out(`Release "${name}" does not exist. Installing it now.\n`)

  if (installing && !cluster.namespaces.includes(namespace)) {
    if (isTrue(flags, 'create-namespace') && !isDryRun) cluster.namespaces.push(namespace)
    else if (!isDryRun) fail(`create: failed to create: namespaces "${namespace}" not found`)
  }

  const render = renderChart(name, chartRef, !installing, cluster)
  if (render.failed) {
    err(render.stderr.replace(/^Error: /m, `Error: ${failPrefix}`))
    process.exit(render.code)
  }
  const chart = loadChart(chartRef)
  let config = userValues({
    values: all(flags, 'values'),
    json: all(flags, 'set-json'),
    set: all(flags, 'set'),
    string: all(flags, 'set-string'),
    file: all(flags, 'set-file'),
    literal: all(flags, 'set-literal'),
  })
  if (
    !installing &&
    !isTrue(flags, 'reset-values') &&
    (isTrue(flags, 'reuse-values') || isTrue(flags, 'reset-then-reuse-values'))
  ) {
    const before = loadRelease(name, previous.version)
    config = mergeMaps(before?.config ?? {}, config)
  }
  const stamp = now()
  const version = (previous?.version ?? 0) + 1
  const description = last(flags, 'description')
  const record = {
    name,
    namespace,
    version,
    status: isDryRun ? (installing ? 'pending-install' : 'pending-upgrade') : 'deployed',
    description: isDryRun
      ? 'Dry run complete'
      : description || (installing ? 'Install complete' : 'Upgrade complete'),
    firstDeployed: installing || !previous ? stamp.rfc3339Nano : previous.firstDeployed,
    lastDeployed: stamp.rfc3339Nano,
    chart,
    config,
    manifest: render.manifest,
    hooks: render.hooks,
    notes: '',
    applyMethod: 'ssa',
  }
  if (isDryRun) {
    printRelease(record, {upgraded: !installing, dryRun: true})
    return
  }

  applyRelease(cluster, key(name), render.objects)
  // Real Helm records the revision as pending-* while it waits (a killed helm leaves it so).
  storeRelease(cluster, {
    ...record,
    status: installing ? 'pending-install' : 'pending-upgrade',
    description: installing ? 'Initial install underway' : 'Preparing upgrade',
  })
  saveCluster(cluster)

  const waitError = waitFor(cluster, name)
  if (waitError) {
    const rollback = major >= 4 ? 'rollback-on-failure' : 'atomic'
    const atomic = isTrue(flags, 'atomic') || (major >= 4 && isTrue(flags, 'rollback-on-failure'))
    if (installing) {
      record.status = 'failed'
      record.description = `Release "${name}" failed: ${waitError}`
      if (atomic) {
        removeRelease(cluster, key(name))
        forgetRelease(cluster, name)
        saveCluster(cluster)
        fail(
          `release ${name} failed, and has been uninstalled due to ${rollback} being set: ${waitError}`,
        )
      }
      storeRelease(cluster, record)
      saveCluster(cluster)
      fail(waitError)
    }
    record.status = 'failed'
    record.description = `Upgrade "${name}" failed: ${waitError}`
    storeRelease(cluster, record)
    // The last successful release is what --atomic/--rollback-on-failure rolls back to.
    const good = revisions(cluster, name)
      .filter((r) => ['deployed', 'superseded'].includes(r.status))
      .pop()
    if (atomic && good) {
      rollBackTo(cluster, name, good.version, version + 1)
      saveCluster(cluster)
      fail(
        `release ${name} failed, and has been rolled back due to ${rollback} being set: ${waitError}`,
      )
    }
    saveCluster(cluster)
    fail(waitError)
  }
  if (exists) {
    // Upgrade supersedes the release it replaced: the deployed one, else the last one.
    const replaced =
      revisions(cluster, name)
        .filter((r) => r.status === 'deployed')
        .pop() ?? previous
    setStatus(cluster, name, replaced.version, 'superseded')
  }
  storeRelease(cluster, record)
  saveCluster(cluster)
  printRelease(record, {upgraded: !installing})
}

/** The wait as the real Helm would end it: undefined when ready, else its error text. */
function waitFor(cluster, name) {
  let strategy
  if (major >= 4) {
    const given = last(flags, 'wait')
    strategy =
      given === undefined
        ? 'hookOnly'
        : given === '' || given === 'true'
          ? 'watcher'
          : given === 'false'
            ? 'hookOnly'
            : given
    if (
      strategy === 'hookOnly' &&
      (isTrue(flags, 'rollback-on-failure') || isTrue(flags, 'atomic'))
    )
      strategy = 'watcher'
  } else {
    strategy = isTrue(flags, 'wait') || isTrue(flags, 'atomic') ? 'legacy' : 'hookOnly'
  }
  if (strategy === 'hookOnly') return undefined
  const unready = unreadyWorkloads(cluster, key(name))
  if (unready.length === 0) return undefined
  const timeout = parseDuration(last(flags, 'timeout')) ?? 300_000
  sleepMs(Math.min(timeout, Number(process.env.GENIRO_FAKE_HELM_WAIT_MS ?? 300)))
  if (strategy === 'watcher')
    return [
      ...unready.map(
        (w) =>
          `resource ${w.kind}/${w.namespace}/${w.name} not ready. status: InProgress, message: ${w.message}`,
      ),
      'context deadline exceeded',
    ].join('\n')
  return 'context deadline exceeded'
}

/** Copies revision `from` into a new revision `version` (what `helm rollback` stores). */
function rollBackTo(cluster, name, from, version) {
  const source = loadRelease(name, from)
  const current = latest(cluster, name)
  for (const r of revisions(cluster, name))
    if (r.status === 'deployed') setStatus(cluster, name, r.version, 'superseded')
  if (current && current.status !== 'superseded')
    setStatus(cluster, name, current.version, 'superseded')
  const stamp = now()
  const record = {
    ...source,
    version,
    status: 'deployed',
    description: `Rollback to ${from}`,
    lastDeployed: stamp.rfc3339Nano,
  }
  applyRelease(cluster, key(name), splitRender(record.manifest).objects)
  storeRelease(cluster, record)
  return record
}

/** `helm template` with the values and namespace of the call, for the cluster's version. */
function renderChart(name, chartRef, isUpgrade, cluster) {
  const templateArgs = [
    'template',
    name,
    chartRef,
    '--namespace',
    namespace,
    '--kube-version',
    cluster.kubernetesVersion,
  ]
  if (isUpgrade) templateArgs.push('--is-upgrade')
  const passValue = [
    'values',
    'set',
    'set-string',
    'set-json',
    'set-file',
    'set-literal',
    'version',
    'repo',
    'username',
    'password',
    'ca-file',
    'cert-file',
    'key-file',
    'post-renderer',
    'post-renderer-args',
    'kubeconfig',
  ]
  const passBool = [
    'skip-schema-validation',
    'enable-dns',
    'dependency-update',
    'devel',
    'skip-crds',
    'insecure-skip-tls-verify',
    'plain-http',
    'pass-credentials',
    'verify',
  ]
  // Keep the command line's order among the value flags (-f a -f b and --set x --set y).
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([\w-]+)(?:=(.*))?$/.exec(argv[i])
    if (!m) continue
    const long = m[1].length === 1 ? {f: 'values'}[m[1]] : m[1]
    if (!long) continue
    if (passValue.includes(long)) {
      if (m[2] !== undefined) templateArgs.push(`--${long}=${m[2]}`)
      else templateArgs.push(`--${long}`, argv[++i])
    } else if (passBool.includes(long)) templateArgs.push(argv[i])
  }
  const run = runCaptured(realHelm, templateArgs)
  if (run.code !== 0) return {failed: true, code: run.code, stderr: run.stderr}
  if (run.stderr) err(run.stderr)
  return splitRender(run.stdout)
}

/** Splits `helm template` output into the manifest, the hooks and the non-hook objects. */
function splitRender(text) {
  const manifestParts = []
  const hooks = []
  const objects = []
  for (const part of text.split(/^---\n/m)) {
    if (!part.trim()) continue
    const source = /^# Source: (.*)$/m.exec(part)?.[1] ?? ''
    const body = part.replace(/^# Source: .*\n/, '')
    let doc
    try {
      doc = parseYaml(body)
    } catch {
      doc = undefined
    }
    const hook = doc?.metadata?.annotations?.['helm.sh/hook']
    if (hook) {
      const annotations = doc.metadata.annotations
      const weight = Number(annotations['helm.sh/hook-weight'] ?? 0)
      hooks.push({
        name: doc.metadata.name,
        kind: doc.kind,
        path: source,
        manifest: body.replace(/\n$/, ''),
        events: hook.split(',').map((e) => e.trim()),
        weight,
        deletePolicies: (annotations['helm.sh/hook-delete-policy'] ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      })
      continue
    }
    manifestParts.push(`---\n${part}`)
    if (doc && typeof doc === 'object' && doc.kind) objects.push(doc)
  }
  return {manifest: manifestParts.join(''), hooks, objects}
}

/** What Helm keeps of a chart in the release: metadata, values, schema, templates, files. */
function loadChart(chartRef) {
  let dir = chartRef
  let metadataDoc
  if (existsSync(path.join(chartRef, 'Chart.yaml'))) {
    metadataDoc = parseYaml(readFileSync(path.join(chartRef, 'Chart.yaml'), 'utf8'))
  } else {
    dir = undefined
    const shown = runCaptured(realHelm, ['show', 'chart', chartRef])
    metadataDoc = parseYaml(shown.stdout) ?? {}
  }
  const metadata = {}
  for (const field of [
    'name',
    'home',
    'sources',
    'version',
    'description',
    'keywords',
    'maintainers',
    'icon',
    'apiVersion',
    'condition',
    'tags',
    'appVersion',
    'deprecated',
    'annotations',
    'kubeVersion',
    'dependencies',
    'type',
  ]) {
    const v = metadataDoc?.[field]
    if (
      v === undefined ||
      v === null ||
      v === '' ||
      v === false ||
      (Array.isArray(v) && v.length === 0)
    )
      continue
    metadata[field] =
      field === 'maintainers' ? v.map((m) => struct(pick(m, ['name', 'email', 'url']))) : v
  }
  if (metadata.version !== undefined) metadata.version = String(metadata.version)
  if (metadata.appVersion !== undefined) metadata.appVersion = String(metadata.appVersion)
  const chart = {
    metadata,
    values: {},
    schema: null,
    templates: [],
    files: [],
    schemaModTime: undefined,
    modTime: undefined,
  }
  if (!dir) return chart
  chart.modTime = fromMtime(path.join(dir, 'Chart.yaml'))
  const valuesFile = path.join(dir, 'values.yaml')
  if (existsSync(valuesFile)) chart.values = parseValuesYaml(readFileSync(valuesFile, 'utf8'))
  const schemaFile = path.join(dir, 'values.schema.json')
  if (existsSync(schemaFile)) {
    chart.schema = readFileSync(schemaFile).toString('base64')
    chart.schemaModTime = fromMtime(schemaFile)
  }
  for (const file of walk(dir)) {
    const rel = path.relative(dir, file).split(path.sep).join('/')
    if (
      [
        'Chart.yaml',
        'values.yaml',
        'values.schema.json',
        'Chart.lock',
        'requirements.yaml',
        'requirements.lock',
        '.helmignore',
      ].includes(rel)
    )
      continue
    if (rel.startsWith('charts/')) continue
    const entry = {name: rel, data: readFileSync(file).toString('base64'), modtime: fromMtime(file)}
    ;(rel.startsWith('templates/') ? chart.templates : chart.files).push(entry)
  }
  return chart
}

function walk(dir) {
  const result = []
  for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) result.push(...walk(full))
    else if (entry.isFile()) result.push(full)
  }
  return result
}

function fromMtime(file) {
  const ns = statSync(file, {bigint: true}).mtimeNs
  const date = new Date(Number(ns / 1_000_000n))
  const iso = date.toISOString().replace(/\.\d+Z$/, '')
  const frac = String(ns % 1_000_000_000n)
    .padStart(9, '0')
    .replace(/0+$/, '')
  return `${iso}${frac ? `.${frac}` : ''}Z`
}

function pick(object, fields) {
  const result = {}
  for (const f of fields) if (object?.[f] !== undefined && object[f] !== '') result[f] = object[f]
  return result
}

// ---------------------------------------------------------------- printing releases

/** The release object as `-o json` prints it: Helm's release struct, per major version. */
function releaseJson(record) {
  const info = struct({
    first_deployed: record.firstDeployed,
    last_deployed: record.lastDeployed,
    ...(major >= 4 ? {} : {deleted: ''}),
    description: record.description || undefined,
    status: record.status,
    notes: record.notes || undefined,
  })
  const file = (f) =>
    struct(
      major >= 4 ? {name: f.name, data: f.data, modtime: f.modtime} : {name: f.name, data: f.data},
    )
  const chart = struct({
    metadata: struct({...record.chart.metadata}),
    lock: null,
    // Go's nil slices: null when the chart has none.
    templates: record.chart.templates.length > 0 ? record.chart.templates.map(file) : null,
    values: record.chart.values,
    schema: record.chart.schema,
    ...(major >= 4 ? {schemamodtime: record.chart.schemaModTime ?? '0001-01-01T00:00:00Z'} : {}),
    files: record.chart.files.length > 0 ? record.chart.files.map(file) : null,
    ...(major >= 4 ? {modtime: record.chart.modTime ?? '0001-01-01T00:00:00Z'} : {}),
  })
  const hooks = record.hooks.map((h) =>
    struct({
      name: h.name,
      kind: h.kind,
      path: h.path,
      manifest: h.manifest,
      events: h.events,
      last_run:
        major >= 4 ? struct({phase: ''}) : struct({started_at: '', completed_at: '', phase: ''}),
      weight: h.weight || undefined,
      delete_policies: h.deletePolicies.length > 0 ? h.deletePolicies : undefined,
    }),
  )
  const config = record.config && Object.keys(record.config).length > 0 ? record.config : undefined
  return struct({
    name: record.name,
    info,
    chart,
    config,
    manifest: record.manifest || undefined,
    hooks: hooks.length > 0 ? hooks : undefined,
    version: record.version,
    namespace: record.namespace,
    ...(major >= 4 ? {apply_method: record.applyMethod ?? 'ssa'} : {}),
  })
}

function printRelease(record, {upgraded = false, dryRun = false} = {}) {
  if (output === 'json') return out(`${goJson(releaseJson(record))}\n`)
  if (output === 'yaml') return out(goYaml(releaseJson(record)))
  if (upgraded && !dryRun) out(`Release "${record.name}" has been upgraded. Happy Helming!\n`)
  const lines = [`NAME: ${record.name}`]
  lines.push(`LAST DEPLOYED: ${fromRfc3339Nano(record.lastDeployed).ansic}`)
  lines.push(
    `NAMESPACE: ${record.namespace}`,
    `STATUS: ${record.status}`,
    `REVISION: ${record.version}`,
  )
  if (isTrue(flags, 'show-desc')) lines.push(`DESCRIPTION: ${record.description}`)
  // Test hooks that never ran print nothing; no test hooks at all print "None".
  if (!record.hooks.some((h) => h.events.includes('test'))) lines.push('TEST SUITE: None')
  if (dryRun) {
    lines.push('HOOKS:')
    for (const h of record.hooks) lines.push(`---\n# Source: ${h.path}\n${h.manifest}`)
    lines.push(`MANIFEST:\n${record.manifest}`)
  }
  if (record.notes && !isTrue(flags, 'hide-notes')) lines.push(`NOTES:\n${record.notes.trim()}`)
  out(`${lines.join('\n')}\n`)
}

// ---------------------------------------------------------------- other commands

function notFound() {
  die('Error: release: not found')
}

function status() {
  requireArgs(1, 'status RELEASE_NAME')
  const cluster = loadCluster(clusterId)
  const wanted = last(flags, 'revision')
  const summary = wanted
    ? revisions(cluster, args[0]).find((r) => r.version === Number(wanted))
    : latest(cluster, args[0])
  if (!summary) notFound()
  printRelease(loadRelease(args[0], summary.version))
}

function list() {
  const cluster = loadCluster(clusterId)
  const allNamespaces = isTrue(flags, 'all-namespaces')
  const states = [
    'deployed',
    'failed',
    'pending',
    'superseded',
    'uninstalled',
    'uninstalling',
  ].filter((s) => isTrue(flags, s))
  const mask = isTrue(flags, 'all')
    ? undefined
    : states.length > 0
      ? states
      : ['deployed', 'failed']
  const filter = last(flags, 'filter') ? new RegExp(last(flags, 'filter')) : undefined
  let rows = Object.entries(cluster.releases)
    .filter(([k]) => allNamespaces || k.startsWith(`${namespace}/`))
    .map(([k, revs]) => ({
      ns: k.split('/')[0],
      name: k.split('/').slice(1).join('/'),
      rev: revs[revs.length - 1],
    }))
    .filter(
      (r) =>
        r.rev &&
        (!mask ||
          mask.some((s) =>
            s === 'pending' ? r.rev.status.startsWith('pending') : r.rev.status === s,
          )),
    )
    .filter((r) => !filter || filter.test(r.name))
  rows.sort((a, b) =>
    isTrue(flags, 'date')
      ? a.rev.lastDeployed.localeCompare(b.rev.lastDeployed)
      : a.name.localeCompare(b.name),
  )
  if (isTrue(flags, 'reverse')) rows.reverse()
  const offset = Number(last(flags, 'offset', '0'))
  const max = Number(last(flags, 'max', '256'))
  rows = rows.slice(offset, max > 0 ? offset + max : undefined)
  if (isTrue(flags, 'short')) {
    const names = rows.map((r) => r.name)
    if (output === 'json') return out(`${goJson(names)}\n`)
    if (output === 'yaml') return out(goYaml(names))
    return out(names.map((n) => `${n}\n`).join(''))
  }
  const timeFormat = last(flags, 'time-format')
  const elements = rows.map((r) =>
    struct({
      name: r.name,
      namespace: r.ns,
      revision: String(r.rev.version),
      updated: timeFormat
        ? fromRfc3339Nano(r.rev.lastDeployed).rfc3339
        : fromRfc3339Nano(r.rev.lastDeployed).goString,
      status: r.rev.status,
      chart: r.rev.chart,
      app_version: r.rev.appVersion,
    }),
  )
  if (output === 'json') return out(`${goJson(elements)}\n`)
  if (output === 'yaml') return out(goYaml(elements))
  const header = ['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION']
  const table = [
    isTrue(flags, 'no-headers') ? undefined : header,
    ...elements.map((e) => [
      e.name,
      e.namespace,
      e.revision,
      e.updated,
      e.status,
      e.chart,
      e.app_version,
    ]),
  ].filter(Boolean)
  out(uitable(table))
}

/** gosuri/uitable as Helm uses it: cells padded to the column width, joined by a tab. */
function uitable(rows) {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length))) ?? []
  return rows
    .map(
      (r) =>
        `${r.map((c, i) => String(c).padEnd(i === r.length - 1 ? 0 : widths[i])).join('\t')}\n`,
    )
    .join('')
}

function get() {
  const what = words[1]
  const supported = {
    values: 'get values RELEASE_NAME',
    manifest: 'get manifest RELEASE_NAME',
    hooks: 'get hooks RELEASE_NAME',
    notes: 'get notes RELEASE_NAME',
  }
  if (!supported[what]) die(`geniro-dev fake helm: unsupported command "get ${what ?? ''}"`)
  requireArgs(1, supported[what])
  const cluster = loadCluster(clusterId)
  const wanted = last(flags, 'revision')
  const summary = wanted
    ? revisions(cluster, args[0]).find((r) => r.version === Number(wanted))
    : latest(cluster, args[0])
  if (!summary) notFound()
  const record = loadRelease(args[0], summary.version)
  if (what === 'manifest') return out(`${record.manifest}\n`)
  if (what === 'hooks')
    return out(record.hooks.map((h) => `---\n# Source: ${h.path}\n${h.manifest}\n`).join(''))
  if (what === 'notes') return out(`NOTES:\n${record.notes}\n`)
  const allValues = isTrue(flags, 'all')
  const config = record.config && Object.keys(record.config).length > 0 ? record.config : null
  const values = allValues ? coalesce(record.chart.values ?? {}, config ?? {}) : config
  if (output === 'json') return out(`${goJson(values)}\n`)
  if (output === 'yaml') return out(values === null ? 'null\n' : goYaml(values))
  out(
    `${allValues ? 'COMPUTED VALUES:' : 'USER-SUPPLIED VALUES:'}\n${values === null ? 'null\n' : goYaml(values)}`,
  )
}

/** chartutil.CoalesceValues: user values over chart defaults; a user null deletes the key. */
function coalesce(defaults, user) {
  const result = structuredClone(defaults)
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete result[k]
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      result[k] &&
      typeof result[k] === 'object' &&
      !Array.isArray(result[k])
    )
      result[k] = coalesce(result[k], v)
    else result[k] = v
  }
  return result
}

function history() {
  requireArgs(1, 'history RELEASE_NAME')
  const cluster = loadCluster(clusterId)
  const list = revisions(cluster, args[0])
  if (list.length === 0) notFound()
  const max = Number(last(flags, 'max', '256'))
  const rows = list.slice(-max).map((r) =>
    struct({
      revision: r.version,
      updated: r.lastDeployed,
      status: r.status,
      chart: r.chart,
      app_version: r.appVersion,
      description: r.description,
    }),
  )
  if (output === 'json') return out(`${goJson(rows)}\n`)
  if (output === 'yaml') return out(goYaml(rows))
  out(
    uitable([
      ['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'],
      ...rows.map((r) => [
        r.revision,
        fromRfc3339Nano(r.updated).ansic,
        r.status,
        r.chart,
        r.app_version,
        r.description,
      ]),
    ]),
  )
}

function uninstall() {
  if (args.length === 0)
    die(
      'Error: "helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]',
    )
  const cluster = loadCluster(clusterId)
  for (const name of args) {
    const current = latest(cluster, name)
    if (!current || current.status === 'uninstalled') {
      if (isTrue(flags, 'ignore-not-found')) continue
      saveCluster(cluster)
      die(`Error: uninstall: Release not loaded: ${name}: release: not found`)
    }
    if (!isDryRun) {
      removeRelease(cluster, key(name))
      if (isTrue(flags, 'keep-history')) {
        const record = loadRelease(name, current.version)
        record.status = 'uninstalled'
        record.description = 'Uninstallation complete'
        storeRelease(cluster, record)
      } else forgetRelease(cluster, name)
    }
    out(`release "${name}" uninstalled\n`)
  }
  saveCluster(cluster)
}

function rollback() {
  if (args.length < 1 || args.length > 2)
    die(
      'Error: "helm rollback" requires at least 1 argument\n\nUsage:  helm rollback <RELEASE> [REVISION] [flags]',
    )
  const cluster = loadCluster(clusterId)
  const list = revisions(cluster, args[0])
  if (list.length === 0) die('Error: release: not found')
  const current = list[list.length - 1]
  const to = args[1] && args[1] !== '0' ? Number(args[1]) : current.version - 1
  if (!list.some((r) => r.version === to)) die(`Error: release has no ${to} version`)
  if (!isDryRun) {
    rollBackTo(cluster, args[0], to, current.version + 1)
    saveCluster(cluster)
  }
  out('Rollback was a success! Happy Helming!\n')
}
