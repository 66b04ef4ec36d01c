// The kubectl fake. `config ...` and `version --client` are the REAL kubectl of
// $GENIRO_FAKE_REAL_KUBECTL (they only read and write the kubeconfig). Every cluster call must
// name --context (this is how tests prove geniro-dev never relies on the current context); an
// unknown context is answered by the real kubectl, with its own words. The cluster itself is
// the fake state: namespaces, the objects Helm releases rendered, their pods and events.
// `port-forward` lives in ./kubectl-port-forward.mjs when someone provides it.
import {Buffer} from 'node:buffer'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {
  die,
  docker,
  err,
  fakeLabels,
  goYaml,
  isTrue,
  kubectlJson,
  last,
  all,
  loadCluster,
  out,
  parseDuration,
  parseFlags,
  parseYaml,
  realTool,
  recordCall,
  runCaptured,
  saveCluster,
  sleepMs,
  uid,
  withLock,
} from './common.mjs'
import {replayFailure} from './failures.mjs'
import {GLOBAL_BOOL, GLOBAL_SHORT, GLOBAL_VALUE} from './kubectl-flags.mjs'
import {eventsFor, failSpecFor, logsFor, podView, resolveContext, withStatus} from './cluster.mjs'
import {criLogs, withLogInstances} from './kubectl-logs.mjs'

const argv = process.argv.slice(2)
const realKubectl = realTool('GENIRO_FAKE_REAL_KUBECTL')

const COMMANDS = {
  run: {
    value: [
      'image',
      'restart',
      'pod-running-timeout',
      'env',
      'labels',
      'overrides',
      'port',
      'image-pull-policy',
      'serviceaccount',
    ],
    bool: ['rm', 'attach', 'stdin', 'tty', 'quiet', 'command', 'leave-stdin-open'],
    short: {i: 'stdin', t: 'tty', l: 'labels'},
  },
  get: {
    value: [
      'output',
      'selector',
      'field-selector',
      'chunk-size',
      'sort-by',
      'template',
      'label-columns',
      'raw',
      'subresource',
      'filename',
      'show-managed-fields',
      'server-print',
      'allow-missing-template-keys',
    ],
    bool: [
      'all-namespaces',
      'watch',
      'watch-only',
      'no-headers',
      'ignore-not-found',
      'show-labels',
      'show-kind',
      'output-watch-events',
      'recursive',
    ],
    short: {
      o: 'output',
      l: 'selector',
      A: 'all-namespaces',
      w: 'watch',
      L: 'label-columns',
      f: 'filename',
      R: 'recursive',
    },
  },
  logs: {
    value: [
      'tail',
      'container',
      'since',
      'since-time',
      'limit-bytes',
      'pod-running-timeout',
      'selector',
      'max-log-requests',
    ],
    bool: [
      'follow',
      'previous',
      'all-containers',
      'timestamps',
      'prefix',
      'ignore-errors',
      'all-pods',
      'insecure-skip-tls-verify-backend',
    ],
    short: {c: 'container', l: 'selector', f: 'follow', p: 'previous'},
  },
  apply: {
    value: [
      'filename',
      'output',
      'dry-run',
      'field-manager',
      'selector',
      'prune-allowlist',
      'cascade',
      'timeout',
      'grace-period',
      'validate',
    ],
    bool: [
      'server-side',
      'force-conflicts',
      'recursive',
      'overwrite',
      'force',
      'wait',
      'prune',
      'all',
    ],
    short: {f: 'filename', o: 'output', l: 'selector', R: 'recursive'},
  },
  create: {
    value: [
      'from-literal',
      'from-file',
      'from-env-file',
      'type',
      'output',
      'dry-run',
      'field-manager',
      'filename',
      'save-config',
      'validate',
    ],
    bool: ['append-hash', 'edit', 'windows-line-endings', 'raw'],
    short: {o: 'output', f: 'filename'},
  },
  delete: {
    value: [
      'filename',
      'selector',
      'field-selector',
      'grace-period',
      'timeout',
      'cascade',
      'output',
      'dry-run',
    ],
    bool: [
      'ignore-not-found',
      'wait',
      'all',
      'all-namespaces',
      'force',
      'now',
      'recursive',
      'interactive',
    ],
    short: {
      f: 'filename',
      l: 'selector',
      A: 'all-namespaces',
      o: 'output',
      R: 'recursive',
      i: 'interactive',
    },
  },
  version: {value: ['output'], bool: ['client'], short: {o: 'output'}},
  'cluster-info': {value: [], bool: [], short: {}},
}

const firstWord = parseFlags(argv, {value: GLOBAL_VALUE, bool: GLOBAL_BOOL, short: GLOBAL_SHORT})
  .positionals[0]
const CONFIG_MUTATING = [
  'use-context',
  'use',
  'set-context',
  'delete-context',
  'set-cluster',
  'set-credentials',
  'rename-context',
  'unset',
  'set',
  'delete-cluster',
  'delete-user',
]
const configVerb =
  firstWord === 'config'
    ? parseFlags(argv, {
        value: [...GLOBAL_VALUE, 'output'],
        bool: GLOBAL_BOOL,
        short: {...GLOBAL_SHORT, o: 'output'},
      }).positionals[1]
    : undefined
const dryRun = argv.some((a) => /^--dry-run(=(client|server|true))?$/.test(a))
const mutating =
  (firstWord === 'config' && CONFIG_MUTATING.includes(configVerb)) ||
  ([
    'apply',
    'create',
    'delete',
    'scale',
    'patch',
    'replace',
    'label',
    'annotate',
    'rollout',
    'edit',
    'set',
    'expose',
    'run',
    'cordon',
    'drain',
    'taint',
  ].includes(firstWord) &&
    !dryRun)
recordCall('kubectl', argv, mutating)
replayFailure('kubectl', argv)

// The kubeconfig-only commands are the real kubectl's.
if (
  firstWord === 'config' ||
  firstWord === undefined ||
  firstWord === 'help' ||
  firstWord === 'completion' ||
  firstWord === 'options' ||
  argv.includes('--help') ||
  argv.includes('-h')
)
  passThrough()
if (firstWord === 'version' && argv.some((a) => a === '--client' || a === '--client=true'))
  passThrough()

function passThrough() {
  const run = runCaptured(realKubectl, argv)
  out(run.stdout)
  err(run.stderr)
  process.exit(run.code)
}

function main() {
  const spec = COMMANDS[firstWord]
  if (!spec) die(`error: geniro-dev fake kubectl: unsupported command "${firstWord}"`)
  const parsed = parseFlags(argv, {
    value: [...GLOBAL_VALUE, ...spec.value],
    bool: [...GLOBAL_BOOL, ...spec.bool],
    short: {...GLOBAL_SHORT, ...spec.short},
  })
  if (parsed.unknown.length > 0)
    die(`error: unknown flag: ${parsed.unknown[0]}\nSee 'kubectl ${firstWord} --help' for usage.`)
  if (parsed.missingValue)
    die(
      `error: flag needs an argument: --${parsed.missingValue}\nSee 'kubectl ${firstWord} --help' for usage.`,
    )
  const flags = parsed.flags
  const args = parsed.positionals.slice(1)
  const context = last(flags, 'context')
  if (!context) die('error: geniro-dev fake: every call must name --context')
  const target = resolveContext(context, last(flags, 'kubeconfig'))
  if (target.missing) passThrough() // the real kubectl says the context does not exist
  if (target.unreachable) {
    const where = new URL(target.unreachable)
    die(
      `The connection to the server ${where.host} was refused - did you specify the right host or port?`,
    )
  }
  const ctx = {
    flags,
    args,
    cluster: target.cluster,
    namespace: last(flags, 'namespace') || target.namespace,
    server: target.merged.clusters.get(target.merged.contexts.get(context).context.cluster)?.cluster
      ?.server,
  }
  switch (firstWord) {
    case 'run':
      return run(ctx)
    case 'get':
      return get(ctx)
    case 'logs':
      return logs(ctx)
    case 'apply':
      return withLock('clusters', () => apply({...ctx, cluster: loadCluster(ctx.cluster.id)}))
    case 'create':
      return withLock('clusters', () => create({...ctx, cluster: loadCluster(ctx.cluster.id)}))
    case 'delete':
      return withLock('clusters', () => remove({...ctx, cluster: loadCluster(ctx.cluster.id)}))
    case 'version':
      return version(ctx)
    case 'cluster-info':
      out(
        `Kubernetes control plane is running at ${ctx.server}\nCoreDNS is running at ${ctx.server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
      )
      return
  }
}

// ---------------------------------------------------------------- resources

const RESOURCES = [
  {kind: 'Pod', plural: 'pods', names: ['pod', 'pods', 'po'], apiVersion: 'v1'},
  {kind: 'Event', plural: 'events', names: ['event', 'events', 'ev'], apiVersion: 'v1'},
  {
    kind: 'Namespace',
    plural: 'namespaces',
    names: ['namespace', 'namespaces', 'ns'],
    apiVersion: 'v1',
    clusterScoped: true,
  },
  {kind: 'Service', plural: 'services', names: ['service', 'services', 'svc'], apiVersion: 'v1'},
  {kind: 'Secret', plural: 'secrets', names: ['secret', 'secrets'], apiVersion: 'v1'},
  {
    kind: 'ConfigMap',
    plural: 'configmaps',
    names: ['configmap', 'configmaps', 'cm'],
    apiVersion: 'v1',
  },
  {
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    names: ['serviceaccount', 'serviceaccounts', 'sa'],
    apiVersion: 'v1',
  },
  {
    kind: 'PersistentVolumeClaim',
    plural: 'persistentvolumeclaims',
    names: ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc'],
    apiVersion: 'v1',
  },
  {
    kind: 'Deployment',
    plural: 'deployments',
    names: ['deployment', 'deployments', 'deploy'],
    apiVersion: 'apps/v1',
    group: 'apps',
  },
  {
    kind: 'StatefulSet',
    plural: 'statefulsets',
    names: ['statefulset', 'statefulsets', 'sts'],
    apiVersion: 'apps/v1',
    group: 'apps',
  },
  {
    kind: 'DaemonSet',
    plural: 'daemonsets',
    names: ['daemonset', 'daemonsets', 'ds'],
    apiVersion: 'apps/v1',
    group: 'apps',
  },
  {
    kind: 'ReplicaSet',
    plural: 'replicasets',
    names: ['replicaset', 'replicasets', 'rs'],
    apiVersion: 'apps/v1',
    group: 'apps',
  },
  {kind: 'Job', plural: 'jobs', names: ['job', 'jobs'], apiVersion: 'batch/v1', group: 'batch'},
  {
    kind: 'CronJob',
    plural: 'cronjobs',
    names: ['cronjob', 'cronjobs', 'cj'],
    apiVersion: 'batch/v1',
    group: 'batch',
  },
  {
    kind: 'Ingress',
    plural: 'ingresses',
    names: ['ingress', 'ingresses', 'ing'],
    apiVersion: 'networking.k8s.io/v1',
    group: 'networking.k8s.io',
  },
  {
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    names: ['networkpolicy', 'networkpolicies', 'netpol'],
    apiVersion: 'networking.k8s.io/v1',
    group: 'networking.k8s.io',
  },
  {
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    names: ['poddisruptionbudget', 'poddisruptionbudgets', 'pdb'],
    apiVersion: 'policy/v1',
    group: 'policy',
  },
  {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    names: ['horizontalpodautoscaler', 'horizontalpodautoscalers', 'hpa'],
    apiVersion: 'autoscaling/v2',
    group: 'autoscaling',
  },
  {
    kind: 'Role',
    plural: 'roles',
    names: ['role', 'roles'],
    apiVersion: 'rbac.authorization.k8s.io/v1',
    group: 'rbac.authorization.k8s.io',
  },
  {
    kind: 'RoleBinding',
    plural: 'rolebindings',
    names: ['rolebinding', 'rolebindings'],
    apiVersion: 'rbac.authorization.k8s.io/v1',
    group: 'rbac.authorization.k8s.io',
  },
]

function resourceFor(word) {
  const [name, group] = word.toLowerCase().split(/\.(.*)/s)
  const r = RESOURCES.find((res) => res.names.includes(name) && (!group || res.group === group))
  if (!r) die(`error: the server doesn't have a resource type "${word}"`)
  return r
}

/** Every object of a resource in the cluster, with live status, as the API would list them. */
function objectsOf(cluster, resource, namespace) {
  const inNs = (o) =>
    resource.clusterScoped || namespace === undefined || o.metadata.namespace === namespace
  if (resource.kind === 'Pod')
    return cluster.pods
      .filter((p) => namespace === undefined || p.namespace === namespace)
      .map((p) => withLogInstances(p, podView(p)))
  if (resource.kind === 'Event') return eventsFor(cluster, namespace)
  if (resource.kind === 'Namespace')
    return cluster.namespaces.map((n) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        creationTimestamp: cluster.createdAt,
        labels: {'kubernetes.io/metadata.name': n},
        name: n,
        resourceVersion: '1',
        uid: uid(),
      },
      spec: {finalizers: ['kubernetes']},
      status: {phase: 'Active'},
    }))
  if (resource.kind === 'ReplicaSet')
    return cluster.objects
      .filter(({object}) => object.kind === 'Deployment' && inNs(object))
      .map(({object}) => {
        const pod = cluster.pods.find(
          (p) => p.workload.kind === 'Deployment' && p.workload.name === object.metadata.name,
        )
        return {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name: `${object.metadata.name}-${pod?.hash ?? 'none'}`,
            namespace: object.metadata.namespace,
            labels: object.spec?.template?.metadata?.labels,
          },
          spec: {replicas: object.spec?.replicas ?? 1},
        }
      })
  return cluster.objects
    .filter(({object}) => object.kind === resource.kind && inNs(object))
    .map(({object}) => withStatus(cluster, object))
}

/** Equality, inequality, set and existence label selectors. */
function matchesSelector(labels = {}, selector) {
  if (!selector) return true
  const terms = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? []
  return terms.every((raw) => {
    const term = raw.trim()
    let m
    if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term)))
      return m[2] === '!=' ? labels[m[1]] !== m[3] : labels[m[1]] === m[3]
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const set = m[3].split(',').map((s) => s.trim())
      return m[2] === 'in' ? set.includes(labels[m[1]]) : !set.includes(labels[m[1]])
    }
    if (term.startsWith('!')) return !(term.slice(1) in labels)
    return term in labels
  })
}

function fieldValue(object, dotted) {
  return dotted
    .split('.')
    .reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), object)
}

function matchesFields(object, selector) {
  if (!selector) return true
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim())
    if (!m) die(`error: invalid field selector: ${term}`)
    const value = String(fieldValue(object, m[1]) ?? '')
    return m[2] === '!=' ? value !== m[3] : value === m[3]
  })
}

// ---------------------------------------------------------------- get

function get({flags, args, cluster, namespace}) {
  const raw = last(flags, 'raw')
  if (raw !== undefined) return getRaw(raw)
  if (args.length === 0)
    die(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    )
  const allNamespaces = isTrue(flags, 'all-namespaces')
  const ns = allNamespaces ? undefined : namespace
  // TYPE[,TYPE] [NAME...] or TYPE/NAME ...
  const requests = []
  if (args[0].includes('/'))
    for (const a of args)
      requests.push({resource: resourceFor(a.split('/')[0]), name: a.split('/')[1]})
  else
    for (const type of args[0].split(',')) {
      const resource = resourceFor(type)
      if (args.length > 1) for (const name of args.slice(1)) requests.push({resource, name})
      else requests.push({resource})
    }
  const selector = last(flags, 'selector')
  const fieldSelector = last(flags, 'field-selector')
  const items = []
  const missing = []
  for (const {resource, name} of requests) {
    const objects = objectsOf(cluster, resource, ns).filter(
      (o) => matchesSelector(o.metadata?.labels, selector) && matchesFields(o, fieldSelector),
    )
    if (name === undefined) items.push(...objects)
    else {
      const found = objects.find((o) => o.metadata.name === name)
      if (found) items.push(found)
      else if (!isTrue(flags, 'ignore-not-found'))
        missing.push(
          `Error from server (NotFound): ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`,
        )
    }
  }
  const single = requests.length === 1 && requests[0].name !== undefined
  const outputFormat = last(flags, 'output') ?? ''
  if (outputFormat === 'json' || outputFormat === 'yaml') {
    if (!(single && items.length === 0)) {
      const value = single
        ? items[0]
        : {apiVersion: 'v1', items, kind: 'List', metadata: {resourceVersion: ''}}
      out(outputFormat === 'json' ? kubectlJson(value) : goYaml(value))
    }
  } else if (outputFormat === 'name')
    out(
      items
        .map(
          (o) =>
            `${o.kind.toLowerCase()}${RESOURCES.find((r) => r.kind === o.kind)?.group ? `.${RESOURCES.find((r) => r.kind === o.kind).group}` : ''}/${o.metadata.name}\n`,
        )
        .join(''),
    )
  else if (outputFormat.startsWith('jsonpath=') || outputFormat.startsWith('jsonpath-as-json=')) {
    const value = single
      ? items[0]
      : {apiVersion: 'v1', items, kind: 'List', metadata: {resourceVersion: ''}}
    if (value) out(jsonPath(value, outputFormat.replace(/^jsonpath(-as-json)?=/, '')))
  } else if (items.length === 0 && missing.length === 0) {
    err(
      ns === undefined || requests.every((r) => r.resource.clusterScoped)
        ? 'No resources found\n'
        : `No resources found in ${ns} namespace.\n`,
    )
  } else if (items.length > 0) out(table(items, allNamespaces, isTrue(flags, 'no-headers')))
  if (missing.length > 0) die(missing.join('\n'))
}

function getRaw(rawPath) {
  const [p, query] = rawPath.split('?')
  if (['/readyz', '/livez', '/healthz'].includes(p)) {
    if (query?.includes('verbose'))
      out(
        `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/start-apiserver-admission-initializer ok\n${p.slice(1)} check passed\n`,
      )
    else out('ok')
    return
  }
  if (p === '/version') {
    out(kubectlJson({major: '1', minor: '32', gitVersion: 'v1.32.2'}))
    return
  }
  die('Error from server (NotFound): the server could not find the requested resource')
}

/** A small JSONPath: {.a.b}, {.items[*].x}, {.items[0].x}, literal text between. */
function jsonPath(value, template) {
  const unquoted = template.replace(/^'(.*)'$/s, '$1')
  return unquoted.replace(/\{([^}]*)\}/g, (_, expression) => {
    let current = [value]
    for (const part of expression.replace(/^\$?\.?/, '').match(/[^.[\]]+|\[[^\]]*\]/g) ?? []) {
      if (part === '[*]')
        current = current.flatMap((v) => (Array.isArray(v) ? v : Object.values(v ?? {})))
      else if (/^\[\d+\]$/.test(part)) current = current.map((v) => v?.[Number(part.slice(1, -1))])
      else
        current = current.flatMap((v) => (Array.isArray(v) ? v.map((x) => x?.[part]) : [v?.[part]]))
    }
    return current
      .filter((v) => v !== undefined)
      .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(' ')
  })
}

function age(timestamp) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000))
  if (seconds < 120) return `${seconds}s`
  if (seconds < 600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`
  return `${Math.floor(seconds / 3600)}h`
}

function podStatusText(pod) {
  for (const s of pod.status.containerStatuses ?? [])
    if (s.state?.waiting?.reason) return s.state.waiting.reason
  if (pod.status.phase === 'Succeeded') return 'Completed'
  return pod.status.phase
}

/** kubectl's default table: columns padded and separated by three spaces. */
function table(items, allNamespaces, noHeaders) {
  const kind = items[0].kind
  let header
  let rows
  if (kind === 'Pod') {
    header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']
    rows = items.map((p) => {
      const statuses = p.status.containerStatuses ?? []
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0)
      return [
        p.metadata.name,
        `${statuses.filter((s) => s.ready).length}/${statuses.length}`,
        podStatusText(p),
        String(restarts),
        age(p.metadata.creationTimestamp),
      ]
    })
  } else if (kind === 'Event') {
    header = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']
    rows = items.map((e) => [
      age(e.lastTimestamp),
      e.type,
      e.reason,
      `pod/${e.involvedObject.name}`,
      e.message,
    ])
  } else if (kind === 'Namespace') {
    header = ['NAME', 'STATUS', 'AGE']
    rows = items.map((n) => [n.metadata.name, 'Active', age(n.metadata.creationTimestamp)])
  } else if (kind === 'Deployment' || kind === 'StatefulSet') {
    header = ['NAME', 'READY', 'AGE']
    rows = items.map((d) => [
      d.metadata.name,
      `${d.status.readyReplicas}/${d.spec?.replicas ?? 1}`,
      age(d.metadata.creationTimestamp),
    ])
  } else {
    header = ['NAME', 'AGE']
    rows = items.map((o) => [
      o.metadata.name,
      age(o.metadata.creationTimestamp ?? new Date().toISOString()),
    ])
  }
  if (allNamespaces && kind !== 'Namespace') {
    header = ['NAMESPACE', ...header]
    rows = rows.map((r, i) => [items[i].metadata.namespace, ...r])
  }
  const all = noHeaders ? rows : [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)))
  return all
    .map(
      (r) =>
        `${r.map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(widths[i] + 3))).join('')}\n`,
    )
    .join('')
}

// ---------------------------------------------------------------- logs

function logs({flags, args, cluster, namespace}) {
  let candidates
  const selector = last(flags, 'selector')
  if (selector)
    candidates = cluster.pods.filter(
      (p) => p.namespace === namespace && matchesSelector(p.pod.metadata.labels, selector),
    )
  else {
    if (args.length === 0)
      die(
        "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
      )
    const [type, name] = args[0].includes('/') ? args[0].split('/') : ['pod', args[0]]
    const resource = resourceFor(type)
    if (resource.kind === 'Pod')
      candidates = cluster.pods.filter(
        (p) => p.namespace === namespace && p.pod.metadata.name === name,
      )
    else {
      candidates = cluster.pods
        .filter(
          (p) =>
            p.namespace === namespace &&
            p.workload.kind === resource.kind &&
            p.workload.name === name,
        )
        .slice(0, 1)
      if (candidates.length === 0)
        die(
          `error: ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`,
        )
    }
    if (candidates.length === 0) die(`Error from server (NotFound): pods "${name}" not found`)
  }
  const tail = Number(last(flags, 'tail', '-1'))
  candidates = criLogs(candidates, {flags, namespace, clusterId: cluster.id})
  for (const entry of candidates) {
    const fail = failSpecFor(entry)
    if (fail && /Image|Pull|ContainerCreating|ConfigError/.test(fail.reason ?? ''))
      die(
        `Error from server (BadRequest): container "${fail.container ?? entry.pod.spec.containers[0].name}" in pod "${entry.pod.metadata.name}" is waiting to start: ${fail.message ?? 'trying and failing to pull image'}`,
      )
    let lines = logsFor(entry).split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail))
    const prefix = isTrue(flags, 'prefix')
      ? `[pod/${entry.pod.metadata.name}/${entry.pod.spec.containers[0].name}] `
      : ''
    out(lines.map((l) => `${prefix}${l}\n`).join(''))
  }
}

// ---------------------------------------------------------------- version

function version({flags, cluster}) {
  const client = JSON.parse(runCaptured(realKubectl, ['version', '--client', '-o', 'json']).stdout)
  const [major, minor] = cluster.kubernetesVersion.replace(/^v/, '').split('.')
  const server = {
    major,
    minor,
    emulationMajor: major,
    emulationMinor: minor,
    minCompatibilityMajor: major,
    minCompatibilityMinor: String(Number(minor) - 1),
    gitVersion: cluster.kubernetesVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  }
  const outputFormat = last(flags, 'output')
  const value = {...client, serverVersion: server}
  if (outputFormat === 'json') out(`${JSON.stringify(value, null, 2)}\n`)
  else if (outputFormat === 'yaml') out(goYaml(value))
  else
    out(
      `Client Version: ${client.clientVersion.gitVersion}\nKustomize Version: ${client.kustomizeVersion}\nServer Version: ${cluster.kubernetesVersion}\n`,
    )
}

// ---------------------------------------------------------------- apply, create, delete

function readManifests(files) {
  const docs = []
  for (const file of files) {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')
    for (const part of text.split(/^---\s*$/m)) {
      const doc = parseYaml(part)
      if (!doc) continue
      if (doc.kind === 'List') docs.push(...(doc.items ?? []))
      else docs.push(doc)
    }
  }
  return docs
}

function refOf(object) {
  const resource = RESOURCES.find((r) => r.kind === object.kind)
  return `${object.kind.toLowerCase()}${resource?.group ? `.${resource.group}` : ''}/${object.metadata.name}`
}

function dryRunSuffix(flags) {
  const value = last(flags, 'dry-run')
  if (value === undefined || value === 'none' || value === 'false') return ''
  return value === 'server' ? ' (server dry run)' : ' (dry run)'
}

/** The API server keeps a Secret's stringData only as base64 `data` (merged over `data`). */
function asStored(object) {
  if (object.kind !== 'Secret' || !object.stringData) return object
  const {stringData, ...rest} = object
  const data = {...rest.data}
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value), 'utf8').toString('base64')
  return {...rest, data}
}

function upsert(cluster, object, namespace, suffix) {
  if (object.kind === 'Namespace') {
    const exists = cluster.namespaces.includes(object.metadata.name)
    if (!exists && !suffix) cluster.namespaces.push(object.metadata.name)
    return exists ? 'unchanged' : 'created'
  }
  object.metadata.namespace ??= namespace
  object = asStored(object)
  if (!cluster.namespaces.includes(object.metadata.namespace))
    die(`Error from server (NotFound): namespaces "${object.metadata.namespace}" not found`)
  const index = cluster.objects.findIndex(
    ({object: o}) =>
      o.kind === object.kind &&
      o.metadata.name === object.metadata.name &&
      o.metadata.namespace === object.metadata.namespace,
  )
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  if (index === -1) {
    if (!suffix)
      cluster.objects.push({
        release: null,
        object: {...object, metadata: {...object.metadata, uid: uid(), creationTimestamp: stamp}},
      })
    return 'created'
  }
  const before = cluster.objects[index].object
  const same =
    JSON.stringify({...before, metadata: undefined}) ===
    JSON.stringify({...object, metadata: undefined})
  if (!suffix)
    cluster.objects[index] = {
      release: cluster.objects[index].release,
      object: {...object, metadata: {...before.metadata, ...object.metadata}},
    }
  return same ? 'unchanged' : 'configured'
}

function apply({flags, cluster, namespace}) {
  const files = all(flags, 'filename')
  if (files.length === 0)
    die(
      'error: must specify one of -f and -k\n\nerror: unknown command ""\nSee \'kubectl apply -h\' for help and examples',
    )
  const suffix = dryRunSuffix(flags)
  for (const object of readManifests(files))
    out(`${refOf(object)} ${upsert(cluster, object, namespace, suffix)}${suffix}\n`)
  if (!suffix) saveCluster(cluster)
}

function create({flags, args, cluster, namespace}) {
  const suffix = dryRunSuffix(flags)
  const outputFormat = last(flags, 'output')
  let object
  if (args[0] === 'namespace' || args[0] === 'ns') {
    object = {apiVersion: 'v1', kind: 'Namespace', metadata: {name: args[1]}, spec: {}, status: {}}
    if (!suffix && cluster.namespaces.includes(args[1]))
      die(`Error from server (AlreadyExists): namespaces "${args[1]}" already exists`)
  } else if (args[0] === 'secret' && args[1] === 'generic') {
    const data = {}
    for (const literal of all(flags, 'from-literal')) {
      const [k, ...rest] = literal.split('=')
      data[k] = Buffer.from(rest.join('=')).toString('base64')
    }
    object = {
      apiVersion: 'v1',
      data,
      kind: 'Secret',
      metadata: {name: args[2], namespace},
      type: last(flags, 'type', 'Opaque'),
    }
    if (
      !suffix &&
      cluster.objects.some(
        ({object: o}) =>
          o.kind === 'Secret' && o.metadata.name === args[2] && o.metadata.namespace === namespace,
      )
    )
      die(`error: failed to create secret secrets "${args[2]}" already exists`)
  } else if (all(flags, 'filename').length > 0) {
    for (const doc of readManifests(all(flags, 'filename')))
      out(`${refOf(doc)} ${upsert(cluster, doc, namespace, suffix)}${suffix}\n`)
    if (!suffix) saveCluster(cluster)
    return
  } else die(`error: geniro-dev fake kubectl: unsupported command "create ${args.join(' ')}"`)
  if (outputFormat === 'json' || outputFormat === 'yaml') {
    const shown = {...object, metadata: {...object.metadata, creationTimestamp: null}}
    out(outputFormat === 'json' ? kubectlJson(shown) : goYaml(shown))
  } else out(`${refOf(object)} created${suffix}\n`)
  if (!suffix) {
    upsert(cluster, object, namespace, '')
    saveCluster(cluster)
  }
}

function remove({flags, args, cluster, namespace}) {
  if (args.length === 0)
    die(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    )
  const requests = args[0].includes('/')
    ? args.map((a) => [a.split('/')[0], a.split('/')[1]])
    : args.slice(1).map((n) => [args[0], n])
  const suffix = dryRunSuffix(flags)
  for (const [type, name] of requests) {
    const resource = resourceFor(type)
    const label = `${resource.kind.toLowerCase()}${resource.group ? `.${resource.group}` : ''}`
    if (resource.kind === 'Namespace') {
      if (!cluster.namespaces.includes(name)) {
        if (isTrue(flags, 'ignore-not-found')) continue
        die(`Error from server (NotFound): namespaces "${name}" not found`)
      }
      if (!suffix) {
        // The namespace goes with everything in it, Helm's release records included.
        cluster.namespaces = cluster.namespaces.filter((n) => n !== name)
        cluster.objects = cluster.objects.filter(({object}) => object.metadata.namespace !== name)
        cluster.pods = cluster.pods.filter((p) => p.namespace !== name)
        for (const k of Object.keys(cluster.releases))
          if (k.startsWith(`${name}/`)) delete cluster.releases[k]
      }
      out(`${label} "${name}" deleted${suffix}\n`)
      continue
    }
    if (resource.kind === 'Pod') {
      const index = cluster.pods.findIndex(
        (p) => p.namespace === namespace && p.pod.metadata.name === name,
      )
      if (index === -1) {
        if (isTrue(flags, 'ignore-not-found')) continue
        die(`Error from server (NotFound): pods "${name}" not found`)
      }
      // A controller would replace it; the fake keeps the slot with the same spec.
      out(`pod "${name}" deleted${suffix}\n`)
      continue
    }
    const index = cluster.objects.findIndex(
      ({object}) =>
        object.kind === resource.kind &&
        object.metadata.name === name &&
        object.metadata.namespace === namespace,
    )
    if (index === -1) {
      if (isTrue(flags, 'ignore-not-found')) continue
      die(
        `Error from server (NotFound): ${resource.plural}${resource.group ? `.${resource.group}` : ''} "${name}" not found`,
      )
    }
    if (!suffix) cluster.objects.splice(index, 1)
    out(`${label} "${name}" deleted${suffix}\n`)
  }
  if (!suffix) saveCluster(cluster)
}

// ---------------------------------------------------------------- run

/**
 * `kubectl run NAME --image I --restart Never --rm --attach [--command] -- ARGS`: the one-off
 * pod runs for real as a container on the node's Docker network (where a pod's traffic
 * leaves the node), so what it reaches is what a pod would reach. An image the engine does
 * not have cannot be pulled here: like a pod stuck in ErrImagePull, kubectl times out.
 */
function run({flags, args, cluster, namespace}) {
  const [name, ...command] = args
  const image = last(flags, 'image')
  if (!name || !image) die('error: NAME and --image are required for run')
  if (!isTrue(flags, 'rm') || !(isTrue(flags, 'attach') || isTrue(flags, 'stdin')))
    die('error: geniro-dev fake kubectl: run supports only --rm with --attach or -i')
  const node = cluster.provider === 'kind' ? cluster.nodes?.[0] : cluster.name
  const inspect = docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', node])
  const network = Object.keys(JSON.parse(inspect.stdout || '{}'))[0]
  if (inspect.code !== 0 || !network)
    die(`error: geniro-dev fake kubectl: node ${node} is not running`)
  if (docker(['image', 'inspect', image]).code !== 0) {
    sleepMs(Math.min(parseDuration(last(flags, 'pod-running-timeout', '1m')), 1_000))
    die('error: timed out waiting for the condition')
  }
  // --command: ARGS replace the image's entrypoint (a pod's `command`), else its CMD (`args`).
  const [program, ...rest] = command
  const what =
    isTrue(flags, 'command') && program
      ? ['--entrypoint', program, image, ...rest]
      : [image, ...command]
  const result = docker(['run', '--rm', ...fakeLabels('kubectl'), '--network', network, ...what])
  out(result.stdout)
  err(result.stderr)
  if (!isTrue(flags, 'quiet')) out(`pod "${name}" deleted from ${namespace} namespace\n`)
  if (result.code !== 0) die(`pod ${namespace}/${name} terminated (Error)`)
}

// Dispatch last: the tables above must exist before a command runs.
if (firstWord === 'port-forward') {
  const module = fileURLToPath(new URL('./kubectl-port-forward.mjs', import.meta.url))
  if (!existsSync(module))
    die('error: geniro-dev fake kubectl: port-forward is not implemented by this fake')
  await import(module)
} else {
  main()
}
