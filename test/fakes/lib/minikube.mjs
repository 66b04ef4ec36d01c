// The minikube fake: profiles live in the fake state; a profile's node is a real (sleeping)
// container named after it on a Docker network named after it, labelled as minikube's docker
// driver labels them, so `docker network inspect N` works as with the real docker driver.
// Output is minikube's non-terminal form ("* " bullets, no emoji), exit codes are minikube's.
import {randomUUID} from 'node:crypto'
import {
  NODE_IMAGE,
  die,
  docker,
  fakeLabels,
  err,
  isTrue,
  kubeconfigPaths,
  last,
  listClusters,
  loadCluster,
  newCluster,
  out,
  parseFlags,
  readKubeconfig,
  recordCall,
  removeCluster,
  saveCluster,
  withLock,
  writeKubeconfig,
} from './common.mjs'
import {replayFailure} from './failures.mjs'
import {imageLoad} from './minikube-image.mjs'

const VERSION = process.env.GENIRO_FAKE_MINIKUBE_VERSION || 'v1.37.0'
const COMMIT = '65318f4cfff9c12cc87ec9eb8f4cdd57b25047f3'
/** minikube v1.37.0's default Kubernetes version. */
const DEFAULT_K8S = 'v1.34.0'
const KICBASE = 'gcr.io/k8s-minikube/kicbase:v0.0.48'
/** reason.ExProgramUsage, reason.ExGuestNotFound (pkg/minikube/reason/exitcodes.go). */
const EX_USAGE = 14
const EX_GUEST_NOT_FOUND = 85
/** minikube status exit bits: host, cluster, kubernetes not OK (cmd/minikube/cmd/status.go). */
const STATUS_STOPPED = 1 | 2 | 4

const GLOBAL = {
  value: ['profile', 'log_dir', 'v', 'user', 'log_file', 'vmodule', 'stderrthreshold'],
  bool: ['alsologtostderr', 'logtostderr', 'skip-audit', 'rootless', 'help', 'add_dir_header'],
  short: {p: 'profile', h: 'help'},
}
const COMMANDS = {
  start: {
    value: [
      'kubernetes-version',
      'cpus',
      'memory',
      'driver',
      'vm-driver',
      'container-runtime',
      'nodes',
      'disk-size',
      'network',
      'subnet',
      'static-ip',
      'listen-address',
      'ports',
      'cni',
      'addons',
      'extra-config',
      'image-repository',
      'base-image',
      'apiserver-port',
      'apiserver-name',
      'apiserver-names',
      'apiserver-ips',
      'mount-string',
      'insecure-registry',
      'registry-mirror',
      'docker-env',
      'docker-opt',
      'feature-gates',
      'dns-domain',
      'service-cluster-ip-range',
      'wait',
      'wait-timeout',
      'output',
      'iso-url',
      'gpus',
      'cert-expiration',
      'extra-disks',
    ],
    bool: [
      'keep-context',
      'embed-certs',
      'force',
      'dry-run',
      'delete-on-failure',
      'download-only',
      'install-addons',
      'preload',
      'mount',
      'interactive',
      'no-kubernetes',
      'auto-update-drivers',
      'ha',
      'disable-metrics',
      'disable-optimizations',
      'force-systemd',
      'cache-images',
      'native-ssh',
    ],
    short: {o: 'output', n: 'nodes'},
  },
  stop: {
    value: ['schedule', 'output'],
    bool: ['all', 'keep-context-active', 'cancel-scheduled'],
    short: {o: 'output'},
  },
  delete: {value: ['output'], bool: ['all', 'purge'], short: {o: 'output'}},
  status: {
    value: ['output', 'format', 'layout', 'node', 'watch'],
    bool: [],
    short: {o: 'output', f: 'format', l: 'layout', n: 'node', w: 'watch'},
  },
  profile: {value: ['output'], bool: ['light'], short: {o: 'output', l: 'light'}},
  version: {value: ['output', 'components'], bool: ['short'], short: {o: 'output'}},
  ssh: {value: ['node'], bool: ['native-ssh'], short: {n: 'node'}},
  image: {
    value: ['format', 'tag', 'file', 'build-env', 'build-opt', 'node'],
    bool: ['daemon', 'remote', 'overwrite', 'pull', 'push', 'all'],
    short: {t: 'tag', f: 'file', n: 'node'},
  },
}

const argv = process.argv.slice(2)
const firstWord = argv.find((a) => !a.startsWith('-'))
const command = COMMANDS[firstWord] ? firstWord : undefined
const spec = command ? COMMANDS[command] : {}
const parsed = parseFlags(argv, {
  value: [...GLOBAL.value, ...(spec.value ?? [])],
  bool: [...GLOBAL.bool, ...(spec.bool ?? [])],
  short: {...GLOBAL.short, ...(spec.short ?? {})},
})
const flags = parsed.flags
const sub = parsed.positionals[1]
const mutating =
  ['start', 'stop', 'delete'].includes(command) || (command === 'image' && sub === 'load')
recordCall('minikube', argv, mutating)
replayFailure('minikube', argv)

if (!command)
  die(
    `Error: unknown command "${firstWord ?? ''}" for "minikube"\nRun 'minikube --help' for usage.`,
    EX_USAGE,
  )
if (parsed.unknown.length > 0) die(`Error: unknown flag: ${parsed.unknown[0]}`, EX_USAGE)
if (parsed.missingValue) die(`Error: flag needs an argument: --${parsed.missingValue}`, EX_USAGE)

const profile = last(flags, 'profile') || 'minikube'
const id = `minikube-${profile}`
const step = (text) => out(`* ${text}\n`)
const subStep = (text) => out(`  - ${text}\n`)
const warn = (text) => err(`! ${text}\n`)

switch (command) {
  case 'version':
    version()
    break
  case 'profile':
    if (sub === 'list') profileList()
    else if (sub === undefined) out(`${profile}\n`)
    else die(`geniro-dev fake minikube: unsupported command "profile ${sub}"`, EX_USAGE)
    break
  case 'status':
    status()
    break
  case 'start':
    withLock('clusters', start)
    break
  case 'stop':
    withLock('clusters', stop)
    break
  case 'delete':
    withLock('clusters', remove)
    break
  case 'ssh':
    ssh()
    break
  case 'image':
    if (sub === 'load') imageLoad({profile, flags, images: parsed.positionals.slice(2)})
    else die(`geniro-dev fake minikube: unsupported command "image ${sub ?? ''}"`, EX_USAGE)
    break
}
process.exit(0)

// ---------------------------------------------------------------- version, profiles, status

function version() {
  const output = last(flags, 'output')
  if (isTrue(flags, 'short')) out(`${VERSION}\n`)
  else if (output === 'json') out(`${JSON.stringify({commit: COMMIT, minikubeVersion: VERSION})}\n`)
  else if (output === 'yaml') out(`commit: ${COMMIT}\nminikubeVersion: ${VERSION}\n`)
  else out(`minikube version: ${VERSION}\ncommit: ${COMMIT}\n`)
}

function minikubeProfiles() {
  return listClusters().filter((c) => c.provider === 'minikube')
}

/** "OK"/"Stopped" since v1.34 (cluster.GetState's StatusName); "Running"/"Stopped" before. */
function statusName(cluster) {
  if (!cluster.running) return 'Stopped'
  const [major, minor] = VERSION.replace(/^v/, '').split('.').map(Number)
  return major > 1 || minor >= 34 ? 'OK' : 'Running'
}

function profileJson(cluster, current) {
  return {
    Name: cluster.name,
    Status: isTrue(flags, 'light') ? 'Skipped' : statusName(cluster),
    Config: clusterConfig(cluster),
    Active: cluster.name === 'minikube',
    ActiveKubeContext: current === cluster.context,
  }
}

/** The fields of minikube's ClusterConfig the fake knows (pkg/minikube/config/types.go order). */
function clusterConfig(cluster) {
  return {
    Name: cluster.name,
    KeepContext: cluster.keepContext,
    EmbedCerts: false,
    MinikubeISO: '',
    KicBaseImage: KICBASE,
    Memory: cluster.memory,
    CPUs: cluster.cpus,
    DiskSize: 20000,
    Driver: cluster.driver,
    HyperkitVpnKitSock: '',
    HyperkitVSockPorts: [],
    DockerEnv: null,
    ContainerVolumeMounts: null,
    InsecureRegistry: null,
    RegistryMirror: [],
    HostOnlyCIDR: '192.168.59.1/24',
    APIServerPort: 8443,
    KubernetesConfig: {
      KubernetesVersion: cluster.kubernetesVersion,
      ClusterName: cluster.name,
      Namespace: 'default',
      APIServerHAVIP: '',
      APIServerName: 'minikubeCA',
      APIServerNames: null,
      APIServerIPs: null,
      DNSDomain: 'cluster.local',
      ContainerRuntime: 'docker',
      CRISocket: '',
      NetworkPlugin: 'cni',
      FeatureGates: '',
      ServiceCIDR: '10.96.0.0/12',
      ImageRepository: '',
      LoadBalancerStartIP: '',
      LoadBalancerEndIP: '',
      CustomIngressCert: '',
      RegistryAliases: '',
      ExtraOptions: null,
      ShouldLoadCachedImages: true,
      EnableDefaultCNI: false,
      CNI: '',
    },
    Nodes: [
      {
        Name: '',
        IP: cluster.nodeIp ?? '',
        Port: 8443,
        KubernetesVersion: cluster.kubernetesVersion,
        ContainerRuntime: 'docker',
        ControlPlane: true,
        Worker: true,
      },
    ],
    Addons: {'default-storageclass': true, 'storage-provisioner': true},
    CustomAddonImages: null,
    CustomAddonRegistries: null,
    VerifyComponents: {apiserver: true, system_pods: true},
    StartHostTimeout: 360000000000,
    ScheduledStop: null,
    ExposedPorts: [],
    ListenAddress: '',
    Network: '',
    Subnet: '',
    MultiNodeRequested: false,
    ExtraDisks: 0,
    CertExpiration: 94608000000000000,
    MountString: '',
    Mount9PVersion: '9p2000.L',
    MountGID: 'docker',
    MountIP: '',
    MountMSize: 262144,
    MountOptions: [],
    MountPort: 0,
    MountType: '9p',
    MountUID: 'docker',
    BinaryMirror: '',
    DisableOptimizations: false,
    DisableMetrics: false,
    DisableCoreDNSLog: false,
    CustomQemuFirmwarePath: '',
    SocketVMnetClientPath: '',
    SocketVMnetPath: '',
    StaticIP: '',
    SSHAuthSock: '',
    SSHAgentPID: 0,
    GPUs: '',
    AutoPauseInterval: 60000000000,
  }
}

function profileList() {
  const output = (last(flags, 'output') ?? 'table').toLowerCase()
  const current = currentContext()
  const profiles = minikubeProfiles()
  if (output === 'json') {
    // printProfilesJSON: json.Marshal of map[string]interface{} (keys sorted); no profiles
    // (or no ~/.minikube at all) gives empty lists, not an error.
    out(`${JSON.stringify({invalid: [], valid: profiles.map((p) => profileJson(p, current))})}\n`)
    return
  }
  if (output !== 'table')
    die(
      `X Exiting due to MK_USAGE: invalid output format: ${output}. Valid values: 'table', 'json'`,
      EX_USAGE,
    )
  if (profiles.length === 0)
    die(
      "* Exiting due to MK_USAGE_NO_PROFILE: No minikube profile was found.\n* Suggestion:\n\n    You can create one using 'minikube start'.\n",
      EX_GUEST_NOT_FOUND,
    )
  const header = [
    'Profile',
    'Driver',
    'Runtime',
    'IP',
    'Version',
    'Status',
    'Nodes',
    'Active Profile',
    'Active Kubecontext',
  ]
  const rows = profiles.map((p) => [
    p.name,
    p.driver,
    'docker',
    p.nodeIp ?? '',
    p.kubernetesVersion,
    statusName(p),
    '1',
    p.name === 'minikube' ? '*' : '',
    current === p.context ? '*' : '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`
  const row = (cells) => `|${cells.map((c, i) => ` ${c.padEnd(widths[i])} `).join('|')}|\n`
  out(line + row(header) + line + rows.map(row).join('') + line)
}

function notFound(commandWord) {
  const tip = `To ${commandWord === 'start' ? 'start a cluster' : 'fix this'}, run: "minikube start${profile === 'minikube' ? '' : ` -p ${profile}`}"`
  const message = `Profile "${profile}" not found. Run "minikube profile list" to view all profiles.`
  if ((last(flags, 'output') ?? '').toLowerCase() === 'json') {
    // In JSON mode minikube writes these as CloudEvents on stdout (out.Styled -> register.PrintInfo).
    for (const m of [`* ${message}`, `  - ${tip}`])
      out(
        `${JSON.stringify({
          data: {message: m},
          datacontenttype: 'application/json',
          id: randomUUID(),
          source: 'https://minikube.sigs.k8s.io/',
          specversion: '1.0',
          type: 'io.k8s.sigs.minikube.info',
        })}\n`,
      )
  } else {
    step(message)
    subStep(tip)
  }
  process.exit(EX_GUEST_NOT_FOUND)
}

function status() {
  const cluster = loadCluster(id)
  if (!cluster) notFound('start')
  const output = (last(flags, 'output') ?? 'text').toLowerCase()
  const state = cluster.running ? 'Running' : 'Stopped'
  const st = {
    Name: cluster.name,
    Host: state,
    Kubelet: state,
    APIServer: state,
    Kubeconfig: cluster.running ? 'Configured' : 'Stopped',
    Worker: false,
  }
  if (output === 'json') out(JSON.stringify(st))
  else if (output === 'text')
    out(
      `${st.Name}\ntype: Control Plane\nhost: ${st.Host}\nkubelet: ${st.Kubelet}\napiserver: ${st.APIServer}\nkubeconfig: ${st.Kubeconfig}\n\n`,
    )
  else
    die(
      `X Exiting due to MK_USAGE: invalid output format: ${output}. Valid values: 'text', 'json'`,
      EX_USAGE,
    )
  process.exit(cluster.running ? 0 : STATUS_STOPPED)
}

// ---------------------------------------------------------------- start, stop, delete

/** "4g", "4096", "4096mb", "max" ... in MB, as minikube's --memory takes them. */
function memoryMb(text) {
  if (text === undefined) return 3900
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(text)
  if (!m) return 3900
  const factor = {'': 1, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024}[m[2].toLowerCase()]
  return Math.round(Number(m[1]) * factor)
}

function start() {
  const existing = loadCluster(id)
  const driver = last(flags, 'driver') || last(flags, 'vm-driver') || existing?.driver || 'docker'
  const keepContext = isTrue(flags, 'keep-context')
  const platform = `Debian 12.12 (amd64)`
  step(`${profile === 'minikube' ? '' : `[${profile}] `}minikube ${VERSION} on ${platform}`)
  let cluster = existing
  if (existing) {
    step(`Using the ${existing.driver} driver based on existing profile`)
    const cpus = last(flags, 'cpus')
    const memory = last(flags, 'memory')
    if (cpus !== undefined && Number(cpus) !== existing.cpus)
      warn(
        'You cannot change the CPUs for an existing minikube cluster. Please first delete the cluster.',
      )
    if (memory !== undefined && memoryMb(memory) !== existing.memory)
      warn(
        'You cannot change the memory size for an existing minikube cluster. Please first delete the cluster.',
      )
  } else {
    step(`Using the ${driver} driver based on user configuration`)
    if (process.getuid?.() === 0) step('Using Docker driver with root privileges')
    cluster = newCluster({
      id,
      provider: 'minikube',
      name: profile,
      context: profile,
      kubernetesVersion: last(flags, 'kubernetes-version') || DEFAULT_K8S,
      cpus: Number(last(flags, 'cpus', '2')) || 2,
      memory: memoryMb(last(flags, 'memory')),
      driver,
      keepContext,
      running: false,
    })
  }
  const requested = last(flags, 'kubernetes-version')
  if (existing && requested && requested !== existing.kubernetesVersion)
    cluster.kubernetesVersion = requested
  step(`Starting "${profile}" primary control-plane node in "${profile}" cluster`)
  step(`Pulling base image ${KICBASE.split(':')[1]} ...`)
  if (!existing)
    step(`Creating docker container (CPUs=${cluster.cpus}, Memory=${cluster.memory}MB) ...`)
  else if (existing.running) step(`Updating the running docker "${profile}" container ...`)
  else step(`Restarting existing docker container for "${profile}" ...`)
  const node = ensureNode(cluster)
  if (node.error) {
    err(`X Exiting due to PROVIDER_DOCKER_NOT_RUNNING: ${node.error}\n`)
    process.exit(69)
  }
  cluster.nodeIp = node.ip
  cluster.apiPort = node.port
  step(`Preparing Kubernetes ${cluster.kubernetesVersion} on Docker 28.4.0 ...`)
  if (!existing) {
    subStep('Generating certificates and keys ...')
    subStep('Booting up control plane ...')
    subStep('Configuring RBAC rules ...')
  }
  step('Configuring bridge CNI (Container Networking Interface) ...')
  step('Verifying Kubernetes components...')
  subStep('Using image gcr.io/k8s-minikube/storage-provisioner:v5')
  step('Enabled addons: storage-provisioner, default-storageclass')
  cluster.running = true
  cluster.keepContext = keepContext
  saveCluster(cluster)
  writeContext(cluster, !keepContext)
  if (keepContext) step(`To connect to this cluster, use:  --context=${profile}`)
  else
    step(
      `Done! kubectl is now configured to use "${profile}" cluster and "default" namespace by default`,
    )
}

function stop() {
  const cluster = loadCluster(id)
  if (!cluster) notFound('start')
  step(`Stopping node "${profile}"  ...`)
  if (cluster.running) step(`Powering off "${profile}" via SSH ...`)
  docker(['stop', '-t', '0', profile])
  cluster.running = false
  saveCluster(cluster)
  // minikube stop unsets the current context when it points at the stopped profile.
  editKubeconfig((config) => {
    if (config['current-context'] === profile) config['current-context'] = ''
    return true
  })
  step('1 node stopped.')
}

function remove() {
  const cluster = loadCluster(id)
  if (!cluster) err(`* "${profile}" profile does not exist, trying anyways.\n`)
  else {
    step(`Deleting "${profile}" in ${cluster.driver} ...`)
    step(`Deleting container "${profile}" ...`)
    step(`Removing ${process.env.HOME}/.minikube/machines/${profile} ...`)
  }
  docker(['rm', '-f', '-v', profile])
  docker(['network', 'rm', profile])
  removeCluster(id)
  editKubeconfig((config) => {
    let changed = false
    for (const list of ['clusters', 'contexts', 'users']) {
      const kept = (config[list] ?? []).filter((e) => e?.name !== profile)
      if (kept.length !== (config[list] ?? []).length) changed = true
      config[list] = kept
    }
    if (config['current-context'] === profile) {
      config['current-context'] = ''
      changed = true
    }
    return changed
  })
  step(`Removed all traces of the "${profile}" cluster.`)
}

// ---------------------------------------------------------------- ssh

/**
 * `minikube ssh -p P [--] CMD...`: the command runs in the real node container (`docker exec`,
 * through the node's `sh -c`, as ssh hands the joined words to the remote shell); its output
 * passes through. A failing command makes minikube say `ssh: Process exited with status N` on
 * stderr and exit 1 (cmd/minikube/cmd/ssh.go). A missing profile or a stopped node exits as
 * `mustload.Running` does (85, 89).
 */
function ssh() {
  /** reason.ExGuestUnavailable: `mustload.Running` on a stopped node. */
  const EX_GUEST_UNAVAILABLE = 89
  const cluster = loadCluster(id)
  const fix = `To fix this, run: "minikube start${profile === 'minikube' ? '' : ` -p ${profile}`}"`
  if (!cluster) {
    step(`There is no local cluster named "${profile}"`)
    subStep(fix)
    process.exit(EX_GUEST_NOT_FOUND)
  }
  const running = docker(['inspect', '--format', '{{.State.Running}}', cluster.name])
  if (!cluster.running || running.stdout.trim() !== 'true') {
    step('The control plane node must be running for this command')
    subStep(fix)
    process.exit(EX_GUEST_UNAVAILABLE)
  }
  const node = last(flags, 'node')
  if (node !== undefined && node !== cluster.name)
    die(`* Node ${node} does not exist.`, EX_GUEST_NOT_FOUND)
  const words = parsed.positionals.slice(1)
  if (words.length === 0)
    die('geniro-dev fake minikube: an interactive `minikube ssh` is not supported', EX_USAGE)
  addHostAlias(cluster)
  const result = docker(['exec', cluster.name, 'sh', '-c', words.join(' ')])
  out(result.stdout)
  err(result.stderr)
  if (result.code !== 0) {
    err(`ssh: Process exited with status ${result.code}\n`)
    process.exit(1)
  }
}

/**
 * What `minikube start` does on the node (machine.AddHostAlias): an /etc/hosts line
 * `<ip>\thost.minikube.internal`, the ip being the gateway of the node's network with the
 * docker driver (oci.RoutableHostIPFromInside). The fake's start does not write it; the first
 * ssh does, idempotently, before running its command.
 */
function addHostAlias(cluster) {
  const HOST_ALIAS = 'host.minikube.internal'
  const gateway = docker([
    'inspect',
    '--format',
    `{{ (index .NetworkSettings.Networks "${cluster.name}").Gateway }}`,
    cluster.name,
  ]).stdout.trim()
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) return
  const record = `${gateway}\t${HOST_ALIAS}`
  // /etc/hosts is a bind mount in a container: rewrite it in place, never rename over it.
  const script = [
    `grep -q "^${record}$" /etc/hosts && exit 0`,
    `{ grep -v "\t${HOST_ALIAS}$" /etc/hosts; printf '%s\\n' "${record}"; } > /tmp/h.$$`,
    `cat /tmp/h.$$ > /etc/hosts && rm -f /tmp/h.$$`,
  ].join('\n')
  docker(['exec', cluster.name, 'sh', '-c', script])
}

/** The node container and its network, as minikube's docker driver names and labels them. */
function ensureNode(cluster) {
  const labels = [
    'created_by.minikube.sigs.k8s.io=true',
    `name.minikube.sigs.k8s.io=${cluster.name}`,
  ]
  const inspect = docker(['inspect', '--format', '{{.State.Running}}', cluster.name])
  if (inspect.code !== 0) {
    const net = docker(['network', 'inspect', cluster.name])
    if (net.code !== 0) {
      const created = docker([
        'network',
        'create',
        '--driver=bridge',
        '-o',
        '--ip-masq',
        '-o',
        '--icc',
        ...labels.flatMap((l) => ['--label', l]),
        ...fakeLabels('minikube'),
        cluster.name,
      ])
      if (created.code !== 0) return {error: created.stderr.trim()}
    }
    const run = docker([
      'run',
      '-d',
      '--name',
      cluster.name,
      '--hostname',
      cluster.name,
      ...labels.flatMap((l) => ['--label', l]),
      '--label',
      'role.minikube.sigs.k8s.io=',
      '--label',
      `mode.minikube.sigs.k8s.io=${cluster.name}`,
      ...fakeLabels('minikube'),
      '--network',
      cluster.name,
      '--publish=127.0.0.1::8443',
      NODE_IMAGE,
      'sleep',
      '2147483647',
    ])
    if (run.code !== 0) return {error: run.stderr.trim()}
  } else if (inspect.stdout.trim() !== 'true') {
    const started = docker(['start', cluster.name])
    if (started.code !== 0) return {error: started.stderr.trim()}
  }
  const facts = docker([
    'inspect',
    '--format',
    `{{ (index .NetworkSettings.Networks "${cluster.name}").IPAddress }} {{ json .NetworkSettings.Ports }}`,
    cluster.name,
  ])
  const [ip, ports] = facts.stdout.trim().split(/ (.*)/s)
  const binding = JSON.parse(ports || '{}')?.['8443/tcp']?.[0]
  return {ip, port: Number(binding?.HostPort ?? 8443)}
}

// ---------------------------------------------------------------- kubeconfig

function currentContext() {
  for (const file of kubeconfigPaths()) {
    const current = readKubeconfig(file)['current-context']
    if (current) return current
  }
  return ''
}

/** minikube writes to the first $KUBECONFIG entry (kubeconfig.PathFromEnv) or ~/.kube/config. */
function editKubeconfig(edit) {
  const file = kubeconfigPaths()[0]
  const config = readKubeconfig(file)
  if (edit(config)) writeKubeconfig(file, config)
}

function writeContext(cluster, setCurrent) {
  const home = `${process.env.HOME}/.minikube`
  const extension = () => [
    {
      extension: {
        'last-update': new Date().toUTCString().replace('GMT', 'UTC'),
        provider: 'minikube.sigs.k8s.io',
        version: VERSION,
      },
      name: 'cluster_info',
    },
  ]
  const entries = {
    clusters: {
      cluster: {
        'certificate-authority': `${home}/ca.crt`,
        extensions: extension(),
        server: `https://127.0.0.1:${cluster.apiPort ?? 8443}`,
      },
      name: cluster.name,
    },
    contexts: {
      context: {
        cluster: cluster.name,
        extensions: extension(),
        namespace: 'default',
        user: cluster.name,
      },
      name: cluster.name,
    },
    users: {
      name: cluster.name,
      user: {
        'client-certificate': `${home}/profiles/${cluster.name}/client.crt`,
        'client-key': `${home}/profiles/${cluster.name}/client.key`,
      },
    },
  }
  editKubeconfig((config) => {
    for (const [list, entry] of Object.entries(entries)) {
      const index = config[list].findIndex((e) => e?.name === entry.name)
      if (index === -1) config[list].push(entry)
      else config[list][index] = entry
    }
    if (setCurrent) config['current-context'] = cluster.name
    return true
  })
}
