// The kind fake. `kind create cluster` is faked (no node image can run here) but leaves the
// same traces the real one does: a node container per node on the Docker network `kind`,
// labelled io.x-k8s.kind.cluster/role, with the API port published on 127.0.0.1, and the
// kind-NAME kubeconfig entry. So the REAL kind binary sees the cluster: `get clusters`,
// `get nodes`, `delete cluster(s)` and `version` are the real kind's. `export kubeconfig` and
// `get kubeconfig` are faked, because the real ones exec into the node --privileged.
import {Buffer} from 'node:buffer'
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {
  KIND_CLUSTER_LABEL,
  KIND_ROLE_LABEL,
  NODE_IMAGE,
  die,
  docker,
  fakeLabels,
  err,
  out,
  formatDuration,
  isTrue,
  kubeconfigPaths,
  last,
  listClusters,
  newCluster,
  parseDuration,
  parseFlags,
  parseYaml,
  readKubeconfig,
  realTool,
  recordCall,
  removeCluster,
  runCaptured,
  saveCluster,
  stringifyYaml,
  withLock,
  writeKubeconfig,
} from './common.mjs'
import {replayFailure} from './failures.mjs'
import {loadDockerImage} from './kind-load.mjs'

/** kind v0.27.0's default node image (from the real binary). */
const DEFAULT_IMAGE =
  'kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f'
const NAME_RE = /^[a-z0-9.-]+$/
const SALUTATION = 'Have a nice day! 👋'

const argv = process.argv.slice(2)
const realKind = realTool('GENIRO_FAKE_REAL_KIND')
const words = parseFlags(argv, {
  value: ['name', 'config', 'image', 'wait', 'kubeconfig', 'verbosity', 'loglevel'],
  bool: ['retain', 'quiet', 'help', 'all', 'internal', 'all-clusters'],
  short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help', A: 'all-clusters'},
}).positionals
const [verb, noun] = words
const mutating =
  (verb === 'create' && noun === 'cluster') ||
  (verb === 'delete' && (noun === 'cluster' || noun === 'clusters')) ||
  (verb === 'export' && noun === 'kubeconfig') ||
  (verb === 'load' && noun === 'docker-image')
recordCall('kind', argv, mutating)
replayFailure('kind', argv)

if (verb === 'create' && noun === 'cluster') createCluster()
else if (verb === 'export' && noun === 'kubeconfig') exportCommand()
else if (verb === 'get' && noun === 'kubeconfig') getKubeconfigCommand()
else if (verb === 'delete' && (noun === 'cluster' || noun === 'clusters')) deleteClusters()
else if (verb === 'load' && noun === 'docker-image') loadDockerImage(argv, realKind)
else passThroughKind(argv)

function passThroughKind(args) {
  const run = runCaptured(realKind, args)
  out(run.stdout)
  err(run.stderr)
  process.exit(run.code)
}

// ---------------------------------------------------------------- create cluster

function createCluster() {
  // The real kind judges the flags (unknown flags, bad durations) with its own words.
  const check = runCaptured(realKind, [...argv, '--help'])
  if (check.code !== 0) {
    err(check.stderr)
    process.exit(check.code)
  }
  const {flags, positionals} = parseFlags(argv, {
    value: ['name', 'config', 'image', 'wait', 'kubeconfig', 'verbosity', 'loglevel'],
    bool: ['retain', 'quiet', 'help'],
    short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help'},
  })
  const extra = positionals.slice(2)
  if (extra.length > 0) die(`ERROR: unknown command "${extra[0]}" for "kind create cluster"`)
  const quiet = isTrue(flags, 'quiet')
  const log = (line) => {
    if (!quiet) err(line.endsWith('\n') ? line : `${line}\n`)
  }

  const config = readKindConfig(last(flags, 'config'))
  const name = last(flags, 'name') || process.env.KIND_CLUSTER_NAME || config.name || 'kind'
  const image = last(flags, 'image') || config.nodes[0]?.image || DEFAULT_IMAGE
  const waitMs = parseDuration(last(flags, 'wait', '0s')) ?? 0
  const kubeconfig = last(flags, 'kubeconfig')

  if (nodesOf(name).length > 0)
    die(
      `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`,
    )
  if (!NAME_RE.test(name))
    die(
      `ERROR: failed to create cluster: '${name}' is not a valid cluster name, cluster names must match \`^[a-z0-9.-]+$\``,
    )

  const status = statusPrinter(log)
  log(`Creating cluster "${name}" ...`)
  status.start(`Ensuring node image (${image.replace(/@sha256:.*$/, '')}) 🖼`)
  const network = process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK || 'kind'
  const created = []
  const fail = (message) => {
    status.end(false)
    if (!isTrue(flags, 'retain'))
      for (const node of created) docker(['rm', '-f', '-v', node], {input: undefined})
    die(`ERROR: failed to create cluster: ${message}`)
  }
  status.start(`Preparing nodes ${'📦 '.repeat(config.nodes.length)}`)
  const ensured = ensureNetwork(network)
  if (ensured) fail(ensured)
  const names = nodeNames(name, config.nodes)
  let apiPort
  for (const [i, node] of config.nodes.entries()) {
    const nodeName = names[i]
    const args = [
      'run',
      '-d',
      '--name',
      nodeName,
      '--hostname',
      nodeName,
      '--label',
      `${KIND_CLUSTER_LABEL}=${name}`,
      '--label',
      `${KIND_ROLE_LABEL}=${node.role}`,
      ...fakeLabels('kind'),
      '--label',
      `geniro-dev.fake.requested-image=${image}`,
      '--net',
      network,
      // kind runs nodes --privileged; this sandbox refuses privileged containers, and the
      // fake node runs nothing that needs it.
      '--restart=on-failure:1',
    ]
    if (node.role === 'control-plane' && apiPort === undefined) {
      const address = config.networking.apiServerAddress ?? '127.0.0.1'
      const port = config.networking.apiServerPort ?? ''
      args.push(`--publish=${address}:${port}:6443/TCP`)
      apiPort = 'pending'
    }
    for (const mapping of node.extraPortMappings ?? []) {
      const address = mapping.listenAddress ?? '0.0.0.0'
      const protocol = (mapping.protocol ?? 'TCP').toUpperCase()
      args.push(
        `--publish=${address}:${mapping.hostPort ?? ''}:${mapping.containerPort}/${protocol}`,
      )
    }
    args.push(NODE_IMAGE, 'sleep', '2147483647')
    const run = docker(args)
    if (run.code !== 0)
      fail(
        `command "docker ${args.join(' ')}" failed with error: exit status ${run.code}\nCommand Output: ${run.stderr.trim()}`,
      )
    created.push(nodeName)
  }
  status.start('Writing configuration 📜')
  status.start('Starting control-plane 🕹️')
  if (!config.networking.disableDefaultCNI) status.start('Installing CNI 🔌')
  status.start('Installing StorageClass 💾')
  if (config.nodes.some((n) => n.role === 'worker')) status.start('Joining worker nodes 🚜')
  if (waitMs > 0) {
    status.start(`Waiting ≤ ${formatDuration(waitMs)} for control-plane = Ready ⏳`)
    status.end(true)
    log(' • Ready after 0s 💚')
  }
  status.end(true)

  // The kubeconfig entry, as kind writes it (and it sets the current context).
  const exported = exportKubeconfig(name, kubeconfig, false)
  if (exported) fail(exported)

  withLock('clusters', () =>
    saveCluster(
      newCluster({
        id: `kind-${name}`,
        provider: 'kind',
        name,
        context: `kind-${name}`,
        kubernetesVersion: /:(v\d+\.\d+\.\d+)/.exec(image)?.[1] ?? 'v1.32.2',
        image,
        nodes: names,
        running: true,
        namespaces: [
          'default',
          'kube-node-lease',
          'kube-public',
          'kube-system',
          'local-path-storage',
        ],
      }),
    ),
  )

  const sample = `kubectl cluster-info --context kind-${name}${kubeconfig ? ` --kubeconfig ${shellQuote(kubeconfig)}` : ''}`
  log(`Set kubectl context to "kind-${name}"`)
  log(`You can now use your cluster with:\n\n${sample}`)
  log('')
  log(SALUTATION)
  process.exit(0)
}

/** kind's non-terminal status lines: " • step  ..." then " ✓ step". */
function statusPrinter(log) {
  let current = ''
  return {
    start(step) {
      this.end(true)
      current = step
      log(` • ${step}  ...`)
    },
    end(ok) {
      if (!current) return
      log(ok ? ` ✓ ${current}` : ` ✗ ${current}`)
      current = ''
    },
  }
}

function readKindConfig(file) {
  const fallback = {nodes: [{role: 'control-plane'}], networking: {}}
  if (!file) return fallback
  let doc
  try {
    doc = parseYaml(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')) ?? {}
  } catch (error) {
    die(`ERROR: failed to create cluster: error reading file: ${error.message}`)
  }
  if (doc.kind !== 'Cluster') die(`ERROR: failed to create cluster: unknown kind: ${doc.kind}`)
  if (doc.apiVersion !== 'kind.x-k8s.io/v1alpha4')
    die(`ERROR: failed to create cluster: unknown apiVersion: ${doc.apiVersion}`)
  const nodes = (doc.nodes ?? [{role: 'control-plane'}]).map((n) => ({
    role: n.role ?? 'control-plane',
    ...n,
  }))
  return {name: doc.name, nodes, networking: doc.networking ?? {}}
}

/** control-plane, control-plane2, worker, worker2, ... */
function nodeNames(cluster, nodes) {
  const counts = {}
  return nodes.map((node) => {
    counts[node.role] = (counts[node.role] ?? 0) + 1
    const suffix = counts[node.role] === 1 ? '' : String(counts[node.role])
    return `${cluster}-${node.role}${suffix}`
  })
}

function nodesOf(cluster) {
  const run = docker([
    'ps',
    '-a',
    '--filter',
    `label=${KIND_CLUSTER_LABEL}=${cluster}`,
    '--format',
    '{{.Names}}',
  ])
  if (run.code !== 0)
    die(
      `ERROR: failed to create cluster: failed to list nodes: command "docker ps -a --filter label=${KIND_CLUSTER_LABEL}=${cluster} --format '{{.Names}}'" failed with error: exit status ${run.code}\nCommand Output: ${run.stderr.trim()}`,
    )
  return run.stdout.split('\n').filter(Boolean)
}

/** kind's network: a bridge, dual-stack with a ULA subnet derived from the name when possible. */
function ensureNetwork(name) {
  const exists = docker(['network', 'ls', `--filter=name=^${name}$`, '--format={{.Name}}'])
  if (exists.code !== 0) return `failed to ensure docker network: ${exists.stderr.trim()}`
  if (exists.stdout.split('\n').includes(name)) return undefined
  const mtu = docker([
    'network',
    'inspect',
    'bridge',
    '--format',
    '{{ index .Options "com.docker.network.driver.mtu" }}',
  ]).stdout.trim()
  const base = [
    'network',
    'create',
    '-d=bridge',
    '-o',
    'com.docker.network.bridge.enable_ip_masquerade=true',
  ]
  if (/^\d+$/.test(mtu)) base.push('-o', `com.docker.network.driver.mtu=${mtu}`)
  const dual = docker([...base, '--ipv6', '--subnet', ulaSubnet(name), name])
  if (dual.code === 0) return undefined
  const single = docker([...base, name])
  return single.code === 0 ? undefined : `failed to ensure docker network: ${single.stderr.trim()}`
}

/** kind's generateULASubnetFromName(name, 0): fc00::/8 plus sha1(name, int32 LE 0) bytes 2..7. */
function ulaSubnet(name) {
  const hash = createHash('sha1').update(name).update(Buffer.alloc(4)).digest()
  const bytes = [0xfc, 0x00, ...hash.subarray(2, 8)]
  const groups = []
  for (let i = 0; i < 8; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16))
  return `${groups.join(':')}::/64`
}

// ---------------------------------------------------------------- kubeconfig

/**
 * Real kind reads the kubeconfig from the node (`docker exec --privileged ... cat
 * /etc/kubernetes/admin.conf`), which this sandbox cannot do; the fake builds the same entry:
 * cluster/user/context `kind-NAME`, the API server at the published 127.0.0.1 port.
 */
function kindEntry(cluster, internal) {
  const controlPlane = nodesOf(cluster).find((n) => /-control-plane\d*$/.test(n))
  if (!controlPlane) return undefined
  let server = `https://${cluster}-control-plane:6443`
  if (!internal) {
    const ports = docker(['inspect', '--format', '{{ json .NetworkSettings.Ports }}', controlPlane])
    const binding = JSON.parse(ports.stdout.trim() || '{}')?.['6443/tcp']?.[0]
    server = `https://${binding?.HostIp || '127.0.0.1'}:${binding?.HostPort ?? 6443}`
  }
  const key = `kind-${cluster}`
  const pem = (kind) =>
    Buffer.from(
      `-----BEGIN ${kind}-----\nZ2VuaXJvLWRldiBmYWtlOiBubyByZWFsIGtleQ==\n-----END ${kind}-----\n`,
    ).toString('base64')
  return {
    cluster: {cluster: {'certificate-authority-data': pem('CERTIFICATE'), server}, name: key},
    context: {context: {cluster: key, user: key}, name: key},
    user: {
      name: key,
      user: {
        'client-certificate-data': pem('CERTIFICATE'),
        'client-key-data': pem('RSA PRIVATE KEY'),
      },
    },
  }
}

/** kind's pathForMerge: the explicit file, else the first existing $KUBECONFIG entry, else the last. */
function pathForMerge(explicit) {
  const paths = kubeconfigPaths(explicit)
  if (paths.length === 1) return paths[0]
  return paths.find((p) => existsSync(p)) ?? paths[paths.length - 1]
}

/** Merges the entry (replacing same-named ones) and sets current-context; an error text or undefined. */
function exportKubeconfig(cluster, explicit, internal) {
  const entry = kindEntry(cluster, internal)
  if (!entry)
    return `could not locate any control plane nodes for cluster named '${cluster}'. Use the --name option to select a different cluster`
  const file = pathForMerge(explicit)
  const config = readKubeconfig(file)
  for (const [list, item] of [
    ['clusters', entry.cluster],
    ['users', entry.user],
    ['contexts', entry.context],
  ]) {
    const index = config[list].findIndex((e) => e?.name === item.name)
    if (index === -1) config[list].push(item)
    else config[list][index] = item
  }
  config['current-context'] = entry.context.name
  writeKubeconfig(file, config)
  return undefined
}

function exportCommand() {
  const check = runCaptured(realKind, [...argv, '--help'])
  if (check.code !== 0) {
    err(check.stderr)
    process.exit(check.code)
  }
  const {flags} = parseFlags(argv, {
    value: ['name', 'kubeconfig', 'verbosity', 'loglevel'],
    bool: ['internal', 'quiet', 'help'],
    short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help'},
  })
  if (isTrue(flags, 'help')) passThroughKind(argv)
  const name = last(flags, 'name') || process.env.KIND_CLUSTER_NAME || 'kind'
  const failure = exportKubeconfig(name, last(flags, 'kubeconfig'), isTrue(flags, 'internal'))
  if (failure) die(`ERROR: ${failure}`)
  if (!isTrue(flags, 'quiet')) err(`Set kubectl context to "kind-${name}"\n`)
  process.exit(0)
}

function getKubeconfigCommand() {
  const check = runCaptured(realKind, [...argv, '--help'])
  if (check.code !== 0) {
    err(check.stderr)
    process.exit(check.code)
  }
  const {flags} = parseFlags(argv, {
    value: ['name', 'verbosity', 'loglevel'],
    bool: ['internal', 'quiet', 'help'],
    short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help'},
  })
  if (isTrue(flags, 'help')) passThroughKind(argv)
  const name = last(flags, 'name') || process.env.KIND_CLUSTER_NAME || 'kind'
  const entry = kindEntry(name, isTrue(flags, 'internal'))
  if (!entry)
    die(
      `ERROR: could not locate any control plane nodes for cluster named '${name}'. Use the --name option to select a different cluster`,
    )
  const config = {
    apiVersion: 'v1',
    clusters: [entry.cluster],
    contexts: [entry.context],
    'current-context': entry.context.name,
    kind: 'Config',
    preferences: {},
    users: [entry.user],
  }
  out(stringifyYaml(config, {lineWidth: 0, indentSeq: false}))
  process.exit(0)
}

function shellQuote(text) {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'"'"'`)}'`
}

// ---------------------------------------------------------------- delete

/**
 * The real kind deletes: it removes the node containers (found by label) and the kubeconfig
 * entries, and prints its own lines. The fake then forgets what it kept about the cluster.
 */
function deleteClusters() {
  const {flags, positionals} = parseFlags(argv, {
    value: ['name', 'kubeconfig', 'verbosity', 'loglevel'],
    bool: ['all', 'quiet', 'help'],
    short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help'},
  })
  const run = runCaptured(realKind, argv)
  out(run.stdout)
  err(run.stderr)
  if (run.code === 0 && !isTrue(flags, 'help')) {
    const names =
      noun === 'cluster'
        ? [last(flags, 'name') || process.env.KIND_CLUSTER_NAME || 'kind']
        : isTrue(flags, 'all')
          ? listClusters()
              .filter((c) => c.provider === 'kind')
              .map((c) => c.name)
          : positionals.slice(2)
    withLock('clusters', () => {
      for (const name of names) removeCluster(`kind-${name}`)
    })
  }
  process.exit(run.code)
}
