/* global setTimeout */
// `kubectl port-forward` of the kubectl fake (loaded by ./kubectl.mjs, which has already
// recorded the call in calls.jsonl as non-mutating). It behaves as kubectl 1.34 does against a
// kind node running containerd: flags are judged by the REAL kubectl (`port-forward --help …` fails
// with its own words exactly when the flags are wrong); TYPE/NAME is resolved in the fake
// cluster, a pod is picked as kubectl picks it (the most active one matching the selector), a
// Service port becomes the pod's targetPort, and the listeners bind for real. Each accepted
// connection is relayed to the backend that $GENIRO_FAKE_STATE/port-forward-backends.json names
// for "<namespace>/<name as given>" (read on every connection).
//
// Sources of the words: k8s.io/kubectl/pkg/cmd/portforward/portforward.go (Complete, port
// translation, "pod is not running"), k8s.io/client-go/tools/portforward/portforward.go
// (parsePorts, parseAddresses, listenOnPort, forward, handleConnection), polymorphichelpers
// (SelectorsForObject, GetFirstPod), containerd's sandbox_portforward_linux.go and the
// kubelet's streaming server (the error-stream message), klog's header and
// apimachinery's HandleError ("Unhandled Error" err=...).
//
// Contract (also in test/fakes/README.md):
//   registry    $GENIRO_FAKE_STATE/port-forwards/<pid>.json while running (before the first
//               "Forwarding from" line; removed on every way out)
//   backends    $GENIRO_FAKE_STATE/port-forward-backends.json:
//               {"<ns>/<name>[:<pod port>]": {"host": "127.0.0.1", "port": N}}
//   SIGUSR1     the pod goes away: E-lines for open connections, `error: lost connection to
//               pod`, exit 1
//   SIGINT      exit 0 quietly (kubectl's os.Interrupt handler); SIGTERM: cleanup, then die by it
//   GENIRO_FAKE_PORT_FORWARD_RATE  bytes per second per direction (token bucket), unset = free
import {createHash} from 'node:crypto'
import {rmSync} from 'node:fs'
import net from 'node:net'
import {performance} from 'node:perf_hooks'
import {
  all,
  die,
  err,
  last,
  loadCluster,
  out,
  parseDuration,
  parseFlags,
  readJson,
  realTool,
  runCaptured,
  statePath,
  writeJson,
} from './common.mjs'
import {failSpecs, isPodReady, podView, resolveContext} from './cluster.mjs'
import {GLOBAL_BOOL, GLOBAL_SHORT, GLOBAL_VALUE} from './kubectl-flags.mjs'

const argv = process.argv.slice(2)
const realKubectl = realTool('GENIRO_FAKE_REAL_KUBECTL')

// ---------------------------------------------------------------- flags

// Flags are the real kubectl's business: it rejects wrong ones offline, in its own words, and
// `--help` right after the command word makes it stop after parsing when they are fine (before
// the command word it would be taken for a plugin's flag; at the end, for a flag's value).
{
  const at = argv.indexOf('port-forward') + 1
  const judged = runCaptured(realKubectl, [...argv.slice(0, at), '--help', ...argv.slice(at)])
  if (judged.code !== 0) {
    out(judged.stdout)
    err(judged.stderr)
    process.exit(judged.code)
  }
}

// The same global flags as ./kubectl.mjs, plus port-forward's own.
const parsed = parseFlags(argv, {
  value: [...GLOBAL_VALUE, 'address', 'pod-running-timeout'],
  bool: GLOBAL_BOOL,
  short: GLOBAL_SHORT,
})
const flags = parsed.flags
const args = parsed.positionals.slice(parsed.positionals.indexOf('port-forward') + 1)
const USAGE = "See 'kubectl port-forward -h' for help and examples"

const context = last(flags, 'context')
if (!context) die('error: geniro-dev fake: every call must name --context')
if (args.length < 2)
  die(`error: TYPE/NAME and list of ports are required for port-forward\n${USAGE}`)
const target = resolveContext(context, last(flags, 'kubeconfig'))
if (target.missing) {
  // The real kubectl says the context does not exist (it never reaches a server then).
  const run = runCaptured(realKubectl, argv)
  out(run.stdout)
  err(run.stderr)
  process.exit(run.code)
}
if (target.unreachable)
  die(
    `The connection to the server ${new URL(target.unreachable).host} was refused - did you specify the right host or port?`,
  )
const namespace = last(flags, 'namespace') || target.namespace
const clusterId = target.cluster.id

const timeoutText = last(flags, 'pod-running-timeout')
const podRunningTimeout = timeoutText === undefined ? 60_000 : parseDuration(timeoutText)
if (podRunningTimeout === undefined || podRunningTimeout <= 0)
  die(`error: --pod-running-timeout must be higher than zero\n${USAGE}`)

// ---------------------------------------------------------------- TYPE/NAME

const TYPES = [
  {kind: 'Pod', plural: 'pods', names: ['pod', 'pods', 'po'], short: 'pod'},
  {kind: 'Service', plural: 'services', names: ['service', 'services', 'svc'], short: 'svc'},
  {
    kind: 'Deployment',
    plural: 'deployments',
    group: 'apps',
    names: ['deployment', 'deployments', 'deploy'],
    short: 'deployment',
  },
  {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    group: 'apps',
    names: ['statefulset', 'statefulsets', 'sts'],
    short: 'statefulset',
  },
  {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    group: 'apps',
    names: ['daemonset', 'daemonsets', 'ds'],
    short: 'daemonset',
  },
  {kind: 'Job', plural: 'jobs', group: 'batch', names: ['job', 'jobs'], short: 'job'},
  // Found by the builder, then refused by AttachablePodForObjectFn.
  {kind: 'ConfigMap', plural: 'configmaps', names: ['configmap', 'configmaps', 'cm']},
  {kind: 'Secret', plural: 'secrets', names: ['secret', 'secrets']},
]

function parseResource(text) {
  if (!text.includes('/')) return {type: TYPES[0], name: text}
  const segments = text.split('/')
  if (segments.length > 2)
    die('error: arguments in resource/name form may not have more than one slash')
  const [word, name] = segments
  if (!word || !name)
    die('error: arguments in resource/name form must have a single resource and name')
  const [plain, group] = word.toLowerCase().split(/\.(.*)/s)
  const type = TYPES.find(
    (t) => t.names.includes(plain) && (group === undefined || group === (t.group ?? '')),
  )
  if (!type) die(`error: the server doesn't have a resource type "${word}"`)
  return {type, name}
}

const {type, name} = parseResource(args[0])
const requestedPorts = args.slice(1)

// ---------------------------------------------------------------- the cluster

function cluster() {
  const state = loadCluster(clusterId)
  if (!state) die(`Error from server (NotFound): the server could not find the requested resource`)
  return state
}

function findObject(state) {
  if (type.kind === 'Pod')
    return state.pods.find((p) => p.namespace === namespace && p.pod.metadata.name === name)
  return state.objects.find(
    ({object}) =>
      object.kind === type.kind &&
      object.metadata?.namespace === namespace &&
      object.metadata?.name === name,
  )?.object
}

/** metav1.LabelSelector (matchLabels and matchExpressions) against a pod's labels. */
function selects(selector, labels = {}) {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
  const byExpressions = (selector.matchExpressions ?? []).every(({key, operator, values = []}) => {
    if (operator === 'In') return key in labels && values.includes(labels[key])
    if (operator === 'NotIn') return !(key in labels) || !values.includes(labels[key])
    if (operator === 'Exists') return key in labels
    if (operator === 'DoesNotExist') return !(key in labels)
    return false
  })
  return byLabels && byExpressions
}

/** SelectorsForObject: the pod selector of a Service or a workload. */
function selectorOf(object) {
  if (type.kind === 'Service') {
    const selector = object.spec?.selector ?? {}
    if (Object.keys(selector).length === 0)
      die(
        `error: cannot attach to *v1.Service: invalid service '${name}': Service is defined without a selector`,
      )
    return {matchLabels: selector}
  }
  if (type.kind === 'ConfigMap' || type.kind === 'Secret')
    die(`error: cannot attach to *v1.${type.kind}: selector for *v1.${type.kind} not implemented`)
  if (type.kind === 'Job' && !object.spec?.selector)
    return {matchLabels: {'batch.kubernetes.io/job-name': name}}
  return object.spec?.selector ?? {}
}

const PHASE_RANK = {Pending: 0, Unknown: 1, Running: 2}

/** podutils.ActivePods reversed: scheduled, running, ready, fewer restarts, older first. */
function mostActive(entries, specs) {
  const rank = (entry) => {
    const view = podView(entry, specs)
    const restarts = (view.status.containerStatuses ?? []).reduce(
      (n, s) => n + (s.restartCount ?? 0),
      0,
    )
    return [
      view.spec.nodeName ? 1 : 0,
      PHASE_RANK[view.status.phase] ?? -1,
      isPodReady(view) ? 1 : 0,
      -restarts,
      -Date.parse(view.metadata.creationTimestamp ?? 0),
    ]
  }
  const compare = (a, b) => {
    const i = a.findIndex((v, k) => v !== b[k])
    return i === -1 ? 0 : a[i] - b[i]
  }
  return entries
    .map((entry) => ({entry, rank: rank(entry)}))
    .reduce((best, next) => (compare(next.rank, best.rank) > 0 ? next : best)).entry
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** The object named on the command line and the pod kubectl would forward to. */
async function resolvePod() {
  const object = findObject(cluster())
  if (!object)
    die(
      `Error from server (NotFound): ${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`,
    )
  if (type.kind === 'Pod') return {object: undefined, entry: object}
  const selector = selectorOf(object)
  // GetFirstPod lists, then watches until a pod shows up or --pod-running-timeout passes.
  const deadline = Date.now() + podRunningTimeout
  for (;;) {
    const state = cluster()
    const matching = state.pods.filter(
      (p) => p.namespace === namespace && selects(selector, p.pod.metadata.labels),
    )
    if (matching.length > 0) return {object, entry: mostActive(matching, failSpecs())}
    if (Date.now() >= deadline) die('error: timed out waiting for the condition')
    await sleep(Math.min(200, Math.max(0, deadline - Date.now())))
  }
}

// ---------------------------------------------------------------- ports

function splitPort(port) {
  const parts = port.split(':')
  return parts.length === 2 ? [parts[0], parts[1]] : [parts[0], parts[0]]
}

const isInteger = (text) => /^[+-]?\d+$/.test(text)

function containerPortByName(pod, portName) {
  for (const c of pod.spec.containers ?? [])
    for (const p of c.ports ?? []) if (p.name === portName) return p.containerPort
  die(`error: Pod '${pod.metadata.name}' does not have a named port '${portName}'`)
}

function servicePortByName(service, portName) {
  const found = (service.spec?.ports ?? []).find((p) => (p.name ?? '') === portName)
  if (!found)
    die(`error: Service '${service.metadata.name}' does not have a named port '${portName}'`)
  return found.port
}

/** util.LookupContainerPortNumberByServicePort. */
function containerPortForServicePort(service, pod, number) {
  for (const p of service.spec?.ports ?? []) {
    if (p.port !== number) continue
    if (service.spec.clusterIP === 'None') return number
    if (p.targetPort === undefined || p.targetPort === 0) return p.port
    if (typeof p.targetPort === 'number') return p.targetPort
    return containerPortByName(pod, String(p.targetPort))
  }
  die(`error: Service ${service.metadata.name} does not have a service port ${number}`)
}

/** checkUDPPortInService / checkUDPPortInPod: UDP-only ports cannot be forwarded. */
function checkUdp(ports, service, pod) {
  const udp = new Set()
  const tcp = new Set()
  const declared = service
    ? (service.spec?.ports ?? []).map((p) => [p.port, p.protocol ?? 'TCP'])
    : (pod.spec.containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((p) => [p.containerPort, p.protocol ?? 'TCP']),
      )
  for (const [number, protocol] of declared) (protocol === 'UDP' ? udp : tcp).add(number)
  for (const port of ports) {
    const remote = splitPort(port)[1]
    const number = isInteger(remote)
      ? Number(remote)
      : service
        ? servicePortByName(service, remote)
        : containerPortByName(pod, remote)
    if (udp.has(number) && !tcp.has(number))
      die(`error: UDP protocol is not supported for ${remote}`)
  }
}

/** translateServicePortToTargetPort / convertPodNamedPortToNumber. */
function translate(ports, service, pod) {
  return ports.map((port) => {
    let [local, remote] = splitPort(port)
    if (service) {
      let number = Number(remote)
      if (!isInteger(remote)) {
        number = servicePortByName(service, remote)
        if (local === remote) local = String(number)
      }
      const containerPort = String(containerPortForServicePort(service, pod, number))
      return local !== containerPort ? `${local}:${containerPort}` : containerPort
    }
    if (remote === '') die('error: remote port cannot be empty')
    const containerPort = isInteger(remote) ? remote : String(containerPortByName(pod, remote))
    return local !== remote ? `${local}:${containerPort}` : containerPort
  })
}

const goQuote = (text) => JSON.stringify(text)

function parseUint16(text, what) {
  if (!/^\d+$/.test(text))
    die(
      `error: error parsing ${what} port '${text}': strconv.ParseUint: parsing ${goQuote(text)}: invalid syntax`,
    )
  const value = Number(text)
  if (value > 65535)
    die(
      `error: error parsing ${what} port '${text}': strconv.ParseUint: parsing ${goQuote(text)}: value out of range`,
    )
  return value
}

/** client-go parsePorts. */
function parsePorts(ports) {
  return ports.map((text) => {
    const parts = text.split(':')
    if (parts.length > 2) die(`error: invalid port format '${text}'`)
    const local = parts.length === 1 ? parts[0] : parts[0] === '' ? '0' : parts[0]
    const remote = parts.length === 1 ? parts[0] : parts[1]
    const localPort = parseUint16(local, 'local')
    const remotePort = parseUint16(remote, 'remote')
    if (remotePort === 0) die('error: remote port must be > 0')
    return {local: localPort, remote: remotePort}
  })
}

/** client-go parseAddresses: localhost is 127.0.0.1 and ::1 (either may fail), sorted. */
function parseAddresses() {
  const given = all(flags, 'address')
  const list =
    given.length === 0 ? ['localhost'] : given.flatMap((v) => (v === '' ? [] : v.split(',')))
  if (list.length === 0) die('error: you must specify at least 1 address')
  const parsedAddresses = new Map()
  for (const address of list) {
    if (address === 'localhost') {
      if (!parsedAddresses.has('127.0.0.1'))
        parsedAddresses.set('127.0.0.1', {address: '127.0.0.1', protocol: 'tcp4', mode: 'all'})
      if (!parsedAddresses.has('::1'))
        parsedAddresses.set('::1', {address: '::1', protocol: 'tcp6', mode: 'all'})
    } else if (net.isIPv4(address))
      parsedAddresses.set(address, {address, protocol: 'tcp4', mode: 'any'})
    else if (net.isIPv6(address))
      parsedAddresses.set(address, {address, protocol: 'tcp6', mode: 'any'})
    else die(`error: ${address} is not a valid IP`)
  }
  return [...parsedAddresses.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  )
}

const joinHostPort = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

const BIND_ERRORS = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported by protocol',
}

function listen(address, port) {
  return new Promise((resolve) => {
    const server = net.createServer({allowHalfOpen: true})
    server.once('error', (error) =>
      resolve({
        error: `unable to create listener: Error listen ${address.protocol} ${joinHostPort(address.address, port)}: bind: ${BIND_ERRORS[error.code] ?? error.message}`,
      }),
    )
    server.listen({host: address.address, port, ipv6Only: address.protocol === 'tcp6'}, () =>
      resolve({server, port: server.address().port}),
    )
  })
}

// ---------------------------------------------------------------- klog, the pod's sandbox

/** runtime.HandleError through klog: `E1126 13:00:00.123456   PID file:line] "Unhandled Error" err="…"`. */
function klogError(line, message) {
  const d = new Date()
  const p = (n, w = 2) => String(n).padStart(w, '0')
  const micros = p(d.getMilliseconds(), 3) + p(Math.floor(Math.random() * 1000), 3)
  const header = `E${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${micros} ${String(process.pid).padStart(7)} portforward.go:${line}]`
  err(`${header} "Unhandled Error" err=${goQuote(message)}\n`)
}
// The lines of runtime.HandleError in client-go 1.34's tools/portforward/portforward.go.
const LINE_REMOTE_TO_LOCAL = 391
const LINE_LOCAL_TO_REMOTE = 404
const LINE_ERROR_STREAM = 424

const hash = (text) => createHash('sha256').update(text).digest('hex')

/** What containerd (a kind node) and the kubelet say, keyed to the pod's sandbox. */
let sandbox = ''
let netns = ''
function sandboxOf(pod) {
  sandbox = hash(`sandbox/${pod.metadata.uid}`)
  const n = hash(`netns/${pod.metadata.uid}`)
  netns = `/var/run/netns/cni-${n.slice(0, 8)}-${n.slice(8, 12)}-${n.slice(12, 16)}-${n.slice(16, 20)}-${n.slice(20, 32)}`
}
const refused = (remote) =>
  `failed to execute portforward in network namespace ${goQuote(netns)}: failed to connect to localhost:${remote} inside namespace ${goQuote(sandbox)}, IPv4: dial tcp4 127.0.0.1:${remote}: connect: connection refused IPv6 dial tcp6 [::1]:${remote}: connect: connection refused `
const resetInPod = (remote, from) =>
  `failed to execute portforward in network namespace ${goQuote(netns)}: read tcp4 127.0.0.1:${from}->127.0.0.1:${remote}: read: connection reset by peer`

// ---------------------------------------------------------------- forwarding

const registry = statePath('port-forwards', `${process.pid}.json`)
const servers = []
const connections = new Set()
let dying = false

function cleanup() {
  for (const server of servers) server.close()
  for (const c of connections) {
    c.client.destroy()
    c.upstream?.destroy()
  }
  rmSync(registry, {force: true})
}
process.on('exit', () => rmSync(registry, {force: true}))

/** forward() returns ErrLostConnectionToPod; kubectl's CheckErr prints it and exits 1. */
function lostConnection() {
  if (dying) return
  dying = true
  cleanup()
  die('error: lost connection to pod')
}

/**
 * The kubelet wrote on a connection's error stream: kubectl logs it, closes the local socket
 * (having read what the client sent, so it ends with a FIN) and gives up the tunnel.
 */
function streamError(client, port, message) {
  if (dying) return
  klogError(
    LINE_ERROR_STREAM,
    `an error occurred forwarding ${port.local} -> ${port.remote}: error forwarding port ${port.remote} to pod ${sandbox}, uid : ${message}`,
  )
  dying = true
  for (const server of servers) server.close()
  closeGently(client, () => {
    dying = false
    lostConnection()
  })
}

/** Ends a socket after reading what is pending, then calls then (at the latest after 200 ms). */
function closeGently(socket, then = () => {}) {
  let called = false
  const go = () => {
    if (called) return
    called = true
    then()
  }
  socket.on('data', () => {})
  socket.end()
  socket.once('close', go)
  setTimeout(go, 200)
}

// SIGUSR1: the pod goes away. Connections in flight see their in-pod socket reset first.
process.on('SIGUSR1', () => {
  if (dying) return
  for (const c of connections)
    if (c.relaying && !c.closing)
      klogError(
        LINE_ERROR_STREAM,
        `an error occurred forwarding ${c.port.local} -> ${c.port.remote}: error forwarding port ${c.port.remote} to pod ${sandbox}, uid : ${resetInPod(c.port.remote, c.podSidePort)}`,
      )
  lostConnection()
})
// kubectl stops on os.Interrupt and returns nil (exit 0); SIGTERM is not handled: it kills.
process.on('SIGINT', () => {
  dying = true
  cleanup()
  process.exit(0)
})
process.on('SIGTERM', () => {
  dying = true
  cleanup()
  process.removeAllListeners('SIGTERM')
  process.kill(process.pid, 'SIGTERM')
})

function tokenBucket(rate) {
  const capacity = Math.max(1024, Math.floor(rate / 50))
  let tokens = capacity
  let at = performance.now()
  /** Takes n bytes (possibly into debt) and says how long the sender must now wait, in ms. */
  return (n) => {
    const now = performance.now()
    tokens = Math.min(capacity, tokens + ((now - at) * rate) / 1000) - n
    at = now
    return tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / rate)
  }
}

/** One bucket per direction, shared by all connections (one tunnel, like kubectl's). */
function rateLimits() {
  const text = process.env.GENIRO_FAKE_PORT_FORWARD_RATE
  if (text === undefined || text === '') return {up: undefined, down: undefined}
  const rate = Number(text)
  if (!Number.isFinite(rate) || rate <= 0)
    die(`geniro-dev fake: GENIRO_FAKE_PORT_FORWARD_RATE must be bytes per second, got "${text}"`, 2)
  return {up: tokenBucket(rate), down: tokenBucket(rate)}
}

/** Copies src to dst honouring dst's back-pressure and the direction's bucket. */
function pump(src, dst, take) {
  src.on('data', (chunk) => {
    if (dst.writableEnded || dst.destroyed) return
    const flushed = dst.write(chunk)
    const wait = take ? take(chunk.length) : 0
    if (flushed && wait === 0) return
    src.pause()
    let pending = (flushed ? 0 : 1) + (wait > 0 ? 1 : 0)
    const done = () => {
      pending -= 1
      if (pending === 0 && !src.destroyed) src.resume()
    }
    if (!flushed) dst.once('drain', done)
    if (wait > 0) setTimeout(done, wait)
  })
}

const goAddress = (host, port) => joinHostPort(host.replace(/^::ffff:/, ''), port)

async function main() {
  const {object, entry} = await resolvePod()
  const service = type.kind === 'Service' ? object : undefined
  const pod = entry.pod
  checkUdp(requestedPorts, service, pod)
  const translated = translate(requestedPorts, service, pod)

  // RunPortForward: the pod must be running (ready or not).
  const phase = podView(entry).status.phase
  if (phase !== 'Running')
    die(`error: unable to forward port because pod is not running. Current status=${phase}`)

  const addresses = parseAddresses()
  const ports = parsePorts(translated)
  sandboxOf(pod)
  const limits = rateLimits()

  // listenOnPort for each port and address, in kubectl's order. The lines are shown once the
  // registry names every listener.
  const lines = []
  const listeners = []
  let anyPort = false
  for (const port of ports) {
    const errors = []
    const failed = {all: 0, any: 0}
    const succeeded = {all: 0, any: 0}
    for (const address of addresses) {
      const result = await listen(address, port.local)
      if (result.error) {
        errors.push(result.error)
        failed[address.mode] += 1
        continue
      }
      succeeded[address.mode] += 1
      port.local = result.port
      servers.push(result.server)
      listeners.push({server: result.server, address: address.address, port: {...port}})
      lines.push([
        out,
        `Forwarding from ${joinHostPort(address.address, port.local)} -> ${port.remote}\n`,
      ])
    }
    if ((succeeded.all === 0 && failed.all > 0) || failed.any > 0)
      lines.push([
        err,
        `Unable to listen on port ${port.local}: Listeners failed to create with the following errors: [${errors.join(' ')}]\n`,
      ])
    else anyPort = true
  }
  if (!anyPort) {
    for (const [write, text] of lines) write(text)
    dying = true
    cleanup()
    die(
      `error: unable to listen on any of the requested ports: [${ports.map((p) => `{${p.local} ${p.remote}}`).join(' ')}]`,
    )
  }

  writeJson(registry, {
    pid: process.pid,
    argv,
    context,
    namespace,
    target: `${type.short}/${name}`,
    pod: pod.metadata.name,
    ports: listeners.map((l) => ({local: l.port.local, remote: l.port.remote, address: l.address})),
  })
  for (const [write, text] of lines) write(text)

  function backendFor(remote) {
    const backends = readJson(statePath('port-forward-backends.json'), {}) ?? {}
    const backend = backends[`${namespace}/${name}:${remote}`] ?? backends[`${namespace}/${name}`]
    if (!backend || typeof backend.port !== 'number') return undefined
    return {host: backend.host ?? '127.0.0.1', port: backend.port}
  }

  function handle(client, port) {
    if (dying) return client.destroy()
    out(`Handling connection for ${port.local}\n`)
    const c = {client, port, upstream: undefined, relaying: false, closing: false, podSidePort: 0}
    connections.add(c)
    client.on('close', () => connections.delete(c))
    client.on('error', (error) => {
      if (c.closing || dying) return
      c.closing = true
      c.upstream?.destroy()
      // io.Copy(dataStream, conn) failed: logged, and this connection alone ends.
      if (error.code === 'ECONNRESET')
        klogError(
          LINE_LOCAL_TO_REMOTE,
          `error copying from local connection to remote stream: read ${client.localFamily === 'IPv6' ? 'tcp6' : 'tcp4'} ${goAddress(client.localAddress, client.localPort)}->${goAddress(client.remoteAddress, client.remotePort)}: read: connection reset by peer`,
        )
      else if (error.code === 'EPIPE')
        klogError(
          LINE_REMOTE_TO_LOCAL,
          `error copying from remote stream to local connection: write ${client.localFamily === 'IPv6' ? 'tcp6' : 'tcp4'} ${goAddress(client.localAddress, client.localPort)}->${goAddress(client.remoteAddress, client.remotePort)}: write: broken pipe`,
        )
    })

    // The pod as it is now: gone, not listening (not ready), or serving.
    const current = loadCluster(clusterId)?.pods.find(
      (p) => p.namespace === entry.namespace && p.pod.metadata.uid === pod.metadata.uid,
    )
    if (!current)
      return streamError(
        client,
        port,
        `failed to find sandbox ${goQuote(sandbox)} in store: not found`,
      )
    if (!isPodReady(podView(current))) return streamError(client, port, refused(port.remote))
    const backend = backendFor(port.remote)
    if (!backend) {
      // Nothing behind it: the pod side ends the stream at once and kubectl closes the socket.
      c.closing = true
      closeGently(client)
      return undefined
    }
    client.pause()
    const upstream = net.connect({host: backend.host, port: backend.port, allowHalfOpen: true})
    c.upstream = upstream
    upstream.once('connect', () => {
      c.relaying = true
      c.podSidePort = upstream.localPort
      pump(client, upstream, limits.up)
      pump(upstream, client, limits.down)
      // The client half-closes: kubectl closes the data stream for writing, the pod reads EOF.
      client.once('end', () => upstream.end())
      // The pod side is done: kubectl closes the local connection.
      upstream.once('end', () => {
        c.closing = true
        client.end()
        upstream.end()
      })
      client.resume()
    })
    upstream.on('error', () => {
      if (c.closing || dying) return
      c.closing = true
      streamError(
        client,
        port,
        c.relaying ? resetInPod(port.remote, c.podSidePort) : refused(port.remote),
      )
    })
    return undefined
  }

  for (const l of listeners) l.server.on('connection', (client) => handle(client, l.port))
}

await main()
