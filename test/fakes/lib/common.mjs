// Shared plumbing of the geniro-dev fakes (kind, minikube, kubectl, helm): the state
// directory, the call log, locking, running the real tools, kubeconfig files, Docker, and
// the exact JSON encodings the real tools use. Node built-ins and `yaml` only.
//
// The contract (see test/fakes/README.md):
//   GENIRO_FAKE_STATE          state directory (required); calls.jsonl lives here
//   GENIRO_FAKE_REAL_KIND      the real kind binary      (kind get/version/export/delete)
//   GENIRO_FAKE_REAL_KUBECTL   the real kubectl binary   (kubectl config/version --client)
//   GENIRO_FAKE_REAL_HELM      the real helm binary      (helm template/lint/show/...)
//   GENIRO_FAKE_DOCKER         the docker CLI (default: `docker` on PATH), with DOCKER_HOST
//   GENIRO_FAKE_NODE_IMAGE     the local image kind/minikube nodes run (geniro-dev-fake-node:1)
import {Buffer} from 'node:buffer'
import {spawnSync} from 'node:child_process'
import {randomBytes, createHash} from 'node:crypto'
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {parse as parseYaml, stringify as stringifyYaml} from 'yaml'

export const NODE_IMAGE = process.env.GENIRO_FAKE_NODE_IMAGE || 'geniro-dev-fake-node:1'

// ---------------------------------------------------------------- process helpers

/**
 * Writes all of text to fd synchronously. process.stdout is asynchronous on pipes, and the
 * fakes end with process.exit(), which would cut a large output short.
 */
function writeAll(fd, text) {
  let buffer = Buffer.from(text)
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer))
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error
      sleepMs(1)
    }
  }
}

/** Prints to stderr (a line ending is added when missing) and exits. */
export function die(message, code = 1) {
  writeAll(2, message.endsWith('\n') ? message : `${message}\n`)
  process.exit(code)
}

export function out(text) {
  if (text) writeAll(1, text)
}

export function err(text) {
  if (text) writeAll(2, text)
}

export function sleepMs(ms) {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

// ---------------------------------------------------------------- state and the call log

export function stateDir() {
  const dir = process.env.GENIRO_FAKE_STATE
  if (!dir) die('geniro-dev fake: GENIRO_FAKE_STATE is not set', 2)
  mkdirSync(dir, {recursive: true})
  return dir
}

export function statePath(...parts) {
  return path.join(stateDir(), ...parts)
}

/**
 * Appends one line per invocation to $GENIRO_FAKE_STATE/calls.jsonl. `time` is when the call
 * is logged (after this Node process started and loaded the fake); `started` is when the
 * process itself started (performance.timeOrigin), which is what start-time benchmarks want.
 */
export function recordCall(tool, argv, mutating) {
  const line = JSON.stringify({
    tool,
    argv,
    mutating,
    time: new Date().toISOString(),
    started: new Date(performance.timeOrigin).toISOString(),
  })
  appendFileSync(statePath('calls.jsonl'), `${line}\n`)
}

export function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return fallback
  }
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
export function writeJson(file, value) {
  mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(tmp, file)
}

const heldLocks = new Set()
process.on('exit', () => {
  // die() exits from inside withLock: give the lock back on every way out.
  for (const lock of heldLocks) rmSync(lock, {recursive: true, force: true})
})

function lockOwnerAlive(lock) {
  try {
    process.kill(Number(readFileSync(path.join(lock, 'pid'), 'utf8')), 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Runs fn while holding a lock directory (state is shared by concurrent fake calls). */
export function withLock(name, fn) {
  const lock = statePath(`${name}.lock`)
  if (heldLocks.has(lock)) return fn()
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(path.join(lock, 'pid'), String(process.pid))
      heldLocks.add(lock)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      // A lock whose owner died (killed, not exited) is free; one without a pid file yet is
      // being taken right now.
      try {
        if (existsSync(path.join(lock, 'pid')) && !lockOwnerAlive(lock))
          rmSync(lock, {recursive: true})
        else if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, {recursive: true})
      } catch {
        // gone already
      }
      if (Date.now() > deadline) die(`geniro-dev fake: could not take the state lock ${lock}`)
      sleepMs(10)
    }
  }
  try {
    return fn()
  } finally {
    heldLocks.delete(lock)
    rmSync(lock, {recursive: true, force: true})
  }
}

// ---------------------------------------------------------------- real tools

export function realTool(variable) {
  const binary = process.env[variable]
  if (!binary) die(`geniro-dev fake: ${variable} is not set`, 2)
  return binary
}

/** Runs a real tool and captures its output. */
export function runCaptured(binary, args, options = {}) {
  const result = spawnSync(binary, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: options.env ?? process.env,
    input: options.input,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  if (result.error) die(`geniro-dev fake: cannot run ${binary}: ${result.error.message}`, 2)
  return {code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr}
}

/** Hands the whole call to a real tool, with our stdio, and exits with its exit code. */
export function passThrough(binary, args) {
  const result = spawnSync(binary, args, {stdio: 'inherit'})
  if (result.error) die(`geniro-dev fake: cannot run ${binary}: ${result.error.message}`, 2)
  process.exit(result.status ?? 1)
}

// ---------------------------------------------------------------- docker

export function dockerBinary() {
  return process.env.GENIRO_FAKE_DOCKER || 'docker'
}

export function docker(args, options = {}) {
  return runCaptured(dockerBinary(), args, options)
}

/** Labels kind and minikube put on their node containers live here, per provider. */
export const KIND_CLUSTER_LABEL = 'io.x-k8s.kind.cluster'
export const KIND_ROLE_LABEL = 'io.x-k8s.kind.role'
/** Every container a fake starts carries this label, so cleanup finds them all. */
export const FAKE_LABEL = 'geniro-dev.fake'

/** docker run/network create label arguments: the fake's own, and the environment's id. */
export function fakeLabels(tool) {
  const labels = ['--label', `${FAKE_LABEL}=${tool}`]
  if (process.env.GENIRO_FAKE_ID)
    labels.push('--label', `${FAKE_LABEL}.env=${process.env.GENIRO_FAKE_ID}`)
  return labels
}

// ---------------------------------------------------------------- flags (cobra/pflag rules)

/**
 * Splits argv the way cobra/pflag does. spec.value: long names taking a value;
 * spec.optional: long names whose value is optional (only `--flag=value` sets it);
 * spec.bool: boolean long names; spec.short: one-letter aliases. Flags may appear anywhere;
 * `--` ends them. Unknown flags are reported, not guessed.
 */
export function parseFlags(argv, spec) {
  const value = new Set(spec.value ?? [])
  const optional = new Set(spec.optional ?? [])
  const bool = new Set(spec.bool ?? [])
  const short = spec.short ?? {}
  const flags = new Map()
  const positionals = []
  const unknown = []
  const add = (name, v) => {
    if (!flags.has(name)) flags.set(name, [])
    flags.get(name).push(v)
  }
  const known = (name) => value.has(name) || optional.has(name) || bool.has(name)
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
      if (!known(name)) {
        unknown.push(arg.slice(0, eq === -1 ? undefined : eq))
        continue
      }
      if (eq !== -1) add(name, arg.slice(eq + 1))
      else if (value.has(name)) {
        if (i + 1 >= argv.length) return {flags, positionals, unknown, missingValue: name}
        add(name, argv[++i])
      } else add(name, optional.has(name) ? '' : 'true')
      continue
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // -n value, -nvalue, -n=value, and bundled booleans (-qA).
      let j = 1
      while (j < arg.length) {
        const letter = arg[j]
        const name = short[letter]
        if (!name) {
          unknown.push(`-${letter}`)
          break
        }
        if (value.has(name)) {
          let rest = arg.slice(j + 1)
          if (rest.startsWith('=')) rest = rest.slice(1)
          if (rest === '') {
            if (i + 1 >= argv.length) return {flags, positionals, unknown, missingValue: name}
            rest = argv[++i]
          }
          add(name, rest)
          break
        }
        if (arg[j + 1] === '=') {
          add(name, arg.slice(j + 2))
          break
        }
        add(name, optional.has(name) ? '' : 'true')
        j++
      }
      continue
    }
    positionals.push(arg)
  }
  return {flags, positionals, unknown}
}

export function last(flags, name, fallback) {
  const values = flags.get(name)
  return values && values.length > 0 ? values[values.length - 1] : fallback
}

export function all(flags, name) {
  return flags.get(name) ?? []
}

export function isTrue(flags, name) {
  const v = last(flags, name)
  return v !== undefined && v !== 'false'
}

/** Go's time.ParseDuration for the forms CLIs take (5m0s, 300s, 1h30m, 500ms). */
export function parseDuration(text) {
  if (text === undefined || text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const units = {ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  let total = 0
  let matched = ''
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]]
    matched += m[0]
  }
  return matched === text ? total : undefined
}

/** Go's time.Duration.String() for whole milliseconds (5m0s, 1m30s, 500ms). */
export function formatDuration(ms) {
  if (ms < 1000) return `${ms}ms`
  let s = ms / 1000
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const sec = `${Number.isInteger(s) ? s : Number(s.toFixed(9))}s`
  if (h > 0) return `${h}h${m}m${sec}`
  if (m > 0) return `${m}m${sec}`
  return sec
}

// ---------------------------------------------------------------- time

/** A timestamp with nanoseconds, formatted the ways Go tools print it. */
export function now() {
  const date = new Date()
  const nanos = String(date.getUTCMilliseconds() * 1e6 + Math.floor(Math.random() * 1e6))
  return stamp(date, nanos.padStart(9, '0'))
}

function stamp(date, nanos) {
  const pad = (n, w = 2) => String(n).padStart(w, '0')
  const ymd = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const hms = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  const frac = nanos.replace(/0+$/, '')
  return {
    /** RFC3339Nano, as encoding/json writes a time.Time. */
    rfc3339Nano: `${ymd}T${hms}${frac ? `.${frac}` : ''}Z`,
    /** RFC3339 to the second, as Kubernetes writes metav1.Time. */
    rfc3339: `${ymd}T${hms}Z`,
    /** time.Time.String(). */
    goString: `${ymd} ${hms}${frac ? `.${frac}` : ''} +0000 UTC`,
    /** time.ANSIC. */
    ansic: ansic(date),
  }
}

export function fromRfc3339Nano(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text)
  if (!m) return now()
  return stamp(new Date(`${m[1]}Z`), (m[2] ?? '').padEnd(9, '0'))
}

function ansic(date) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ]
  const pad = (n) => String(n).padStart(2, '0')
  const day = String(date.getUTCDate()).padStart(2, ' ')
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()}`
}

// ---------------------------------------------------------------- JSON as Go writes it

const STRUCT = Symbol('go-struct')

/** Marks an object as a Go struct: its keys keep their order (maps are sorted). */
export function struct(object) {
  Object.defineProperty(object, STRUCT, {value: true, enumerable: false})
  return object
}

function goString(text) {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/**
 * encoding/json: map keys sorted, struct fields in order, HTML characters escaped.
 * indent '' gives json.Encoder's compact form (Helm); '    ' gives kubectl's.
 */
export function goJson(value, indent = '', depth = 0) {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return goString(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'boolean') return String(value)
  const nl = indent ? `\n${indent.repeat(depth + 1)}` : ''
  const end = indent ? `\n${indent.repeat(depth)}` : ''
  const sep = indent ? ': ' : ':'
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${value.map((v) => nl + goJson(v, indent, depth + 1)).join(',')}${end}]`
  }
  let keys = Object.keys(value).filter((k) => value[k] !== undefined)
  if (!value[STRUCT]) keys = keys.sort()
  if (keys.length === 0) return '{}'
  return `{${keys.map((k) => `${nl}${goString(k)}${sep}${goJson(value[k], indent, depth + 1)}`).join(',')}${end}}`
}

/** kubectl -o json: every object is unstructured (keys sorted), four-space indent. */
export function kubectlJson(value) {
  return `${goJson(stripStructs(value), '    ')}\n`
}

function stripStructs(value) {
  if (Array.isArray(value)) return value.map(stripStructs)
  if (value && typeof value === 'object') {
    const copy = {}
    for (const [k, v] of Object.entries(value)) copy[k] = stripStructs(v)
    return copy
  }
  return value
}

/** sigs.k8s.io/yaml output (what `-o yaml` prints): keys sorted, two-space indent. */
export function goYaml(value) {
  const sorted = JSON.parse(
    goJson(value)
      .replace(/\\u003c/g, '<')
      .replace(/\\u003e/g, '>')
      .replace(/\\u0026/g, '&'),
  )
  return stringifyYaml(sorted, {sortMapEntries: true, lineWidth: 0, indentSeq: false})
}

// ---------------------------------------------------------------- YAML as Helm reads it

/** Helm reads values with YAML 1.1 rules (yes/no/on/off are booleans). */
export function parseValuesYaml(text) {
  return parseYaml(text, {version: '1.1', maxAliasCount: -1}) ?? {}
}

export {parseYaml, stringifyYaml}

// ---------------------------------------------------------------- kubeconfig

/** The kubeconfig files kubectl reads, in order (the --kubeconfig flag wins). */
export function kubeconfigPaths(explicit) {
  if (explicit) return [explicit]
  const list = (process.env.KUBECONFIG ?? '')
    .split(path.delimiter)
    .filter((p, i, a) => p !== '' && a.indexOf(p) === i)
  if (list.length > 0) return list
  return [path.join(process.env.HOME || homedir(), '.kube', 'config')]
}

export function readKubeconfig(file) {
  if (!existsSync(file)) return emptyKubeconfig()
  const doc = parseYaml(readFileSync(file, 'utf8')) ?? {}
  const config = {...emptyKubeconfig(), ...doc}
  // kubectl and client-go write empty lists as null.
  for (const list of ['clusters', 'contexts', 'users']) config[list] ??= []
  config['current-context'] ??= ''
  return config
}

export function emptyKubeconfig() {
  return {
    apiVersion: 'v1',
    clusters: [],
    contexts: [],
    'current-context': '',
    kind: 'Config',
    preferences: {},
    users: [],
  }
}

export function writeKubeconfig(file, config) {
  mkdirSync(path.dirname(file), {recursive: true})
  const ordered = {
    apiVersion: config.apiVersion ?? 'v1',
    clusters: config.clusters ?? [],
    contexts: config.contexts ?? [],
    'current-context': config['current-context'] ?? '',
    kind: config.kind ?? 'Config',
    preferences: config.preferences ?? {},
    users: config.users ?? [],
  }
  for (const [k, v] of Object.entries(config)) if (!(k in ordered)) ordered[k] = v
  writeFileSync(file, stringifyYaml(ordered, {lineWidth: 0, indentSeq: false}), {mode: 0o600})
}

/** The merged view kubectl has: first definition of a name wins, first current-context wins. */
export function mergedKubeconfig(explicit) {
  const merged = {contexts: new Map(), clusters: new Map(), users: new Map(), current: ''}
  for (const file of kubeconfigPaths(explicit)) {
    const config = readKubeconfig(file)
    for (const kind of ['contexts', 'clusters', 'users'])
      for (const entry of config[kind] ?? [])
        if (entry?.name && !merged[kind].has(entry.name)) merged[kind].set(entry.name, entry)
    if (!merged.current && config['current-context']) merged.current = config['current-context']
  }
  return merged
}

/** The server URL a context points at, or undefined. */
export function serverOfContext(merged, contextName) {
  const context = merged.contexts.get(contextName)
  const cluster = context && merged.clusters.get(context.context?.cluster)
  return cluster?.cluster?.server
}

// ---------------------------------------------------------------- clusters in the state

/**
 * A cluster record: {id, provider, name, context, kubernetesVersion, running, ...}.
 * One JSON file per cluster under clusters/, with its releases, objects and pods.
 */
export function clusterFile(id) {
  return statePath('clusters', `${id}.json`)
}

export function loadCluster(id) {
  return readJson(clusterFile(id), undefined)
}

export function saveCluster(cluster) {
  writeJson(clusterFile(cluster.id), cluster)
}

export function removeCluster(id) {
  rmSync(clusterFile(id), {force: true})
}

export function listClusters() {
  const dir = statePath('clusters')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .sort()
    .filter((f) => f.endsWith('.json'))
    .map((f) => readJson(path.join(dir, f), undefined))
    .filter(Boolean)
}

export function clusterByContext(context) {
  return listClusters().find((c) => c.context === context)
}

export function newCluster(fields) {
  return {
    namespaces: ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    releases: {},
    objects: [],
    pods: [],
    events: [],
    createdAt: now().rfc3339,
    ...fields,
  }
}

// ---------------------------------------------------------------- names and hashes

const SAFE = 'bcdfghjklmnpqrstvwxz2456789'

/** Kubernetes' rand.SafeEncodeString alphabet, deterministic from a seed. */
export function safeHash(seed, length) {
  const bytes = createHash('sha256').update(seed).digest()
  let result = ''
  for (let i = 0; i < length; i++) result += SAFE[bytes[i] % SAFE.length]
  return result
}

export function randomSuffix(length = 5) {
  return safeHash(randomBytes(16).toString('hex'), length)
}

export function uid() {
  const h = randomBytes(16).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
