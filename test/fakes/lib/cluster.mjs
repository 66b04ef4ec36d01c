/* global structuredClone */
// What a fake cluster holds, shared by the kubectl and helm fakes: namespaces, the objects
// Helm releases put there, the pods of their workloads, and the events and logs of those pods.
// Pod health is computed when read, from $GENIRO_FAKE_STATE/fail-release.json, so a test can
// break (or heal) a running release at any time.
import {
  clusterByContext,
  mergedKubeconfig,
  readJson,
  safeHash,
  serverOfContext,
  statePath,
  uid,
} from './common.mjs'

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job'])

/**
 * Finds the cluster behind a kube context. {missing: true} when the kubeconfig has no such
 * context (callers let the real tool say so), {unreachable: server} when the context exists
 * but no fake cluster (or a stopped one) answers there.
 */
export function resolveContext(context, kubeconfig) {
  const merged = mergedKubeconfig(kubeconfig)
  if (!merged.contexts.has(context)) return {missing: true, merged}
  const server = serverOfContext(merged, context) ?? 'http://localhost:8080'
  const cluster = clusterByContext(context)
  if (!cluster || !cluster.running) return {unreachable: server, merged}
  const namespace = merged.contexts.get(context)?.context?.namespace || 'default'
  return {cluster, merged, namespace}
}

/** The fail specs: one object or a list, from fail-release.json. */
export function failSpecs() {
  const spec = readJson(statePath('fail-release.json'), undefined)
  if (!spec) return []
  return Array.isArray(spec) ? spec : [spec]
}

export function failSpecFor(entry, specs = failSpecs()) {
  return specs.find(
    (s) =>
      (s.component === undefined || s.component === entry.component) &&
      (s.workload === undefined || s.workload === entry.workload.name) &&
      (s.release === undefined || s.release === entry.release.split('/')[1]) &&
      (s.namespace === undefined || s.namespace === entry.namespace) &&
      (s.component !== undefined || s.workload !== undefined),
  )
}

// ---------------------------------------------------------------- objects of a release

/**
 * Replaces what a release put in the cluster with the objects of a render: the objects
 * (with Helm's ownership annotations) and one pod per replica of each workload. Pods whose
 * template did not change are kept, as a rollout would keep them.
 */
export function applyRelease(cluster, key, objects) {
  const [namespace, name] = key.split('/')
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  cluster.objects = cluster.objects.filter((o) => o.release !== key)
  for (const object of objects) {
    const metadata = (object.metadata ??= {})
    if (!CLUSTER_SCOPED.has(object.kind)) metadata.namespace ??= namespace
    metadata.annotations = {
      ...metadata.annotations,
      'meta.helm.sh/release-name': name,
      'meta.helm.sh/release-namespace': namespace,
    }
    metadata.labels = {...metadata.labels, 'app.kubernetes.io/managed-by': 'Helm'}
    metadata.uid ??= uid()
    metadata.creationTimestamp ??= stamp
    metadata.generation ??= 1
    metadata.resourceVersion = String(Date.now() % 1_000_000)
    cluster.objects.push({release: key, object})
  }
  const old = cluster.pods.filter((p) => p.release === key)
  cluster.pods = cluster.pods.filter((p) => p.release !== key)
  for (const object of objects) {
    if (!WORKLOAD_KINDS.has(object.kind)) continue
    const template = object.spec?.template
    if (!template) continue
    const hash = safeHash(JSON.stringify(template), 10)
    const replicas = object.kind === 'Job' ? 1 : (object.spec.replicas ?? 1)
    const kept = old.filter(
      (p) =>
        p.workload.kind === object.kind &&
        p.workload.name === object.metadata.name &&
        p.hash === hash,
    )
    for (let i = 0; i < replicas; i++) {
      const reuse = kept[i]
      if (reuse) {
        cluster.pods.push(reuse)
        continue
      }
      cluster.pods.push(newPod(cluster, key, object, template, hash, i, stamp))
    }
  }
}

export function removeRelease(cluster, key) {
  cluster.objects = cluster.objects.filter((o) => o.release !== key)
  cluster.pods = cluster.pods.filter((p) => p.release !== key)
}

function newPod(cluster, key, workload, template, hash, index, stamp) {
  const namespace = workload.metadata.namespace
  const labels = {...template.metadata?.labels}
  let name
  let owner
  if (workload.kind === 'StatefulSet') {
    name = `${workload.metadata.name}-${index}`
    labels['controller-revision-hash'] = `${workload.metadata.name}-${hash}`
    labels['statefulset.kubernetes.io/pod-name'] = name
    labels['apps.kubernetes.io/pod-index'] = String(index)
    owner = {kind: 'StatefulSet', name: workload.metadata.name}
  } else if (workload.kind === 'Deployment') {
    labels['pod-template-hash'] = hash
    name = `${workload.metadata.name}-${hash}-${safeHash(`${hash}${index}${Math.random()}`, 5)}`
    owner = {kind: 'ReplicaSet', name: `${workload.metadata.name}-${hash}`}
  } else if (workload.kind === 'Job') {
    labels['batch.kubernetes.io/job-name'] = workload.metadata.name
    labels['job-name'] = workload.metadata.name
    name = `${workload.metadata.name}-${safeHash(`${hash}${Math.random()}`, 5)}`
    owner = {kind: 'Job', name: workload.metadata.name, apiVersion: 'batch/v1'}
  } else {
    labels['controller-revision-hash'] = hash
    name = `${workload.metadata.name}-${safeHash(`${hash}${Math.random()}`, 5)}`
    owner = {kind: 'DaemonSet', name: workload.metadata.name}
  }
  const node = (cluster.nodes ?? [cluster.name])[0]
  const spec = {
    ...template.spec,
    nodeName: node,
    dnsPolicy: template.spec?.dnsPolicy ?? 'ClusterFirst',
    restartPolicy: template.spec?.restartPolicy ?? 'Always',
    schedulerName: template.spec?.schedulerName ?? 'default-scheduler',
    serviceAccountName: template.spec?.serviceAccountName ?? 'default',
    terminationGracePeriodSeconds: template.spec?.terminationGracePeriodSeconds ?? 30,
  }
  return {
    release: key,
    namespace,
    component: labels['app.kubernetes.io/component'],
    workload: {kind: workload.kind, name: workload.metadata.name},
    hash,
    node,
    ip: `10.244.0.${(Number.parseInt(safeHash(name, 2), 36) % 250) + 2}`,
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        annotations: template.metadata?.annotations,
        creationTimestamp: stamp,
        ...(workload.kind === 'StatefulSet' ? {} : {generateName: name.replace(/[^-]+$/, '')}),
        labels,
        name,
        namespace,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion ?? 'apps/v1',
            blockOwnerDeletion: true,
            controller: true,
            kind: owner.kind,
            name: owner.name,
            uid: uid(),
          },
        ],
        resourceVersion: String(Date.now() % 1_000_000),
        uid: uid(),
      },
      spec,
    },
  }
}

/** Kinds that have no namespace (the rest get the release's). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
])

// ---------------------------------------------------------------- pods as the API shows them

const REASON_PHASE = {
  ErrImagePull: 'Pending',
  ImagePullBackOff: 'Pending',
  ContainerCreating: 'Pending',
  CreateContainerConfigError: 'Pending',
  InvalidImageName: 'Pending',
}
const EVENT_REASON = {
  CrashLoopBackOff: 'BackOff',
  ImagePullBackOff: 'BackOff',
  ErrImagePull: 'Failed',
  CreateContainerConfigError: 'Failed',
}

/** A pod with its status, healthy or failing per the fail specs. */
export function podView(entry, specs = failSpecs()) {
  const fail = failSpecFor(entry, specs)
  const pod = structuredClone(entry.pod)
  const started = entry.pod.metadata.creationTimestamp
  const containers = pod.spec.containers ?? []
  const failing = fail ? (fail.container ?? containers[0]?.name) : undefined
  const job = entry.workload.kind === 'Job'
  const containerStatuses = containers.map((c, i) => {
    const base = {
      containerID: `containerd://${safeHash(`${pod.metadata.uid}${c.name}`, 32)}`,
      image: c.image,
      imageID: `${String(c.image).split(':')[0]}@sha256:${safeHash(String(c.image), 32)}`,
      name: c.name,
    }
    if (c.name === failing) {
      const waiting = {reason: fail.reason ?? 'CrashLoopBackOff'}
      if (fail.message) waiting.message = fail.message
      const crash = waiting.reason === 'CrashLoopBackOff' || waiting.reason === 'Error'
      return {
        ...base,
        ...(crash
          ? {
              lastState: {
                terminated: {
                  containerID: base.containerID,
                  exitCode: fail.exitCode ?? 1,
                  finishedAt: started,
                  reason: 'Error',
                  startedAt: started,
                },
              },
            }
          : {lastState: {}}),
        ready: false,
        restartCount: crash ? (fail.restartCount ?? 5) : 0,
        started: false,
        state: {waiting},
      }
    }
    if (job)
      return {
        ...base,
        lastState: {},
        ready: false,
        restartCount: 0,
        started: false,
        state: {
          terminated: {
            containerID: base.containerID,
            exitCode: 0,
            finishedAt: started,
            reason: 'Completed',
            startedAt: started,
          },
        },
      }
    return {
      ...base,
      lastState: {},
      ready: true,
      restartCount: 0,
      started: true,
      state: {running: {startedAt: started}},
      index: i,
    }
  })
  for (const s of containerStatuses) delete s.index
  const ready = !failing && !job
  const phase = failing ? (REASON_PHASE[fail.reason] ?? 'Running') : job ? 'Succeeded' : 'Running'
  const condition = (type, status, extra = {}) => ({
    lastProbeTime: null,
    lastTransitionTime: started,
    status,
    type,
    ...extra,
  })
  const notReady = failing
    ? {message: `containers with unready status: [${failing}]`, reason: 'ContainersNotReady'}
    : job
      ? {reason: 'PodCompleted'}
      : {}
  pod.status = {
    conditions: [
      condition('PodReadyToStartContainers', 'True'),
      condition('Initialized', 'True', job ? {reason: 'PodCompleted'} : {}),
      condition('Ready', ready ? 'True' : 'False', notReady),
      condition('ContainersReady', ready ? 'True' : 'False', notReady),
      condition('PodScheduled', 'True'),
    ],
    containerStatuses,
    hostIP: '172.18.0.2',
    hostIPs: [{ip: '172.18.0.2'}],
    ...(pod.spec.initContainers?.length
      ? {
          initContainerStatuses: pod.spec.initContainers.map((c) => ({
            containerID: `containerd://${safeHash(`${pod.metadata.uid}${c.name}`, 32)}`,
            image: c.image,
            imageID: `${String(c.image).split(':')[0]}@sha256:${safeHash(String(c.image), 32)}`,
            lastState: {},
            name: c.name,
            ready: true,
            restartCount: 0,
            started: false,
            state: {
              terminated: {
                exitCode: 0,
                finishedAt: started,
                reason: 'Completed',
                startedAt: started,
              },
            },
          })),
        }
      : {}),
    phase,
    podIP: entry.ip,
    podIPs: [{ip: entry.ip}],
    qosClass: 'Burstable',
    startTime: started,
  }
  return pod
}

export function isPodReady(pod) {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

// ---------------------------------------------------------------- events and logs

/** The kubelet's and the scheduler's events for the pods of a namespace. */
export function eventsFor(cluster, namespace, specs = failSpecs()) {
  const events = []
  for (const entry of cluster.pods.filter(
    (p) => namespace === undefined || p.namespace === namespace,
  )) {
    const pod = entry.pod
    const at = pod.metadata.creationTimestamp
    const make = (
      reason,
      message,
      {type = 'Normal', fieldPath, component = 'kubelet', count = 1} = {},
    ) => {
      const eventUid = uid()
      events.push({
        apiVersion: 'v1',
        count,
        eventTime: null,
        firstTimestamp: at,
        involvedObject: {
          apiVersion: 'v1',
          ...(fieldPath ? {fieldPath} : {}),
          kind: 'Pod',
          name: pod.metadata.name,
          namespace: entry.namespace,
          resourceVersion: pod.metadata.resourceVersion,
          uid: pod.metadata.uid,
        },
        kind: 'Event',
        lastTimestamp: at,
        message,
        metadata: {
          creationTimestamp: at,
          name: `${pod.metadata.name}.${safeHash(`${pod.metadata.uid}${reason}${fieldPath}`, 16).replace(/[^0-9a-f]/g, 'a')}`,
          namespace: entry.namespace,
          resourceVersion: pod.metadata.resourceVersion,
          uid: eventUid,
        },
        reason,
        reportingComponent: component === 'kubelet' ? 'kubelet' : 'default-scheduler',
        reportingInstance: component === 'kubelet' ? entry.node : '',
        source:
          component === 'kubelet'
            ? {component: 'kubelet', host: entry.node}
            : {component: 'default-scheduler'},
        type,
      })
    }
    make(
      'Scheduled',
      `Successfully assigned ${entry.namespace}/${pod.metadata.name} to ${entry.node}`,
      {component: 'default-scheduler'},
    )
    const fail = failSpecFor(entry, specs)
    const failing = fail ? (fail.container ?? pod.spec.containers?.[0]?.name) : undefined
    for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      const fieldPath = `spec.${(pod.spec.initContainers ?? []).includes(c) ? 'initContainers' : 'containers'}{${c.name}}`
      if (c.name === failing && /Image|Pull/.test(fail.reason ?? '')) {
        make('Pulling', `Pulling image "${c.image}"`, {fieldPath})
        make(
          EVENT_REASON[fail.reason] ?? fail.eventReason ?? fail.reason,
          fail.message ?? `Error: ${fail.reason}`,
          {type: 'Warning', fieldPath, count: fail.restartCount ?? 5},
        )
        continue
      }
      make('Pulled', `Container image "${c.image}" already present on machine`, {fieldPath})
      make('Created', `Created container: ${c.name}`, {fieldPath})
      make('Started', `Started container ${c.name}`, {fieldPath})
      if (c.name === failing)
        make(
          fail.eventReason ?? EVENT_REASON[fail.reason] ?? fail.reason ?? 'BackOff',
          fail.message ??
            `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${entry.namespace}(${pod.metadata.uid})`,
          {type: 'Warning', fieldPath, count: fail.restartCount ?? 5},
        )
    }
  }
  return events
}

/** What `kubectl logs` prints for a pod: the fail spec's logs, or nothing for a quiet pod. */
export function logsFor(entry, specs = failSpecs()) {
  const fail = failSpecFor(entry, specs)
  if (fail?.logs !== undefined) return fail.logs.endsWith('\n') ? fail.logs : `${fail.logs}\n`
  return ''
}

// ---------------------------------------------------------------- workload status

/** Status fields of Deployments/StatefulSets/DaemonSets/Jobs derived from their pods. */
export function withStatus(cluster, object, specs = failSpecs()) {
  if (!WORKLOAD_KINDS.has(object.kind)) return object
  const view = structuredClone(object)
  const pods = cluster.pods
    .filter(
      (p) =>
        p.workload.kind === object.kind &&
        p.workload.name === object.metadata.name &&
        p.namespace === object.metadata.namespace,
    )
    .map((p) => podView(p, specs))
  const ready = pods.filter(isPodReady).length
  const replicas = pods.length
  if (object.kind === 'Job') {
    const succeeded = pods.filter((p) => p.status.phase === 'Succeeded').length
    view.status = {
      active: replicas - succeeded,
      ready: 0,
      succeeded,
      startTime: object.metadata.creationTimestamp,
    }
    return view
  }
  view.status = {
    availableReplicas: ready,
    observedGeneration: object.metadata.generation ?? 1,
    readyReplicas: ready,
    replicas,
    updatedReplicas: replicas,
  }
  if (object.kind === 'StatefulSet') view.status.currentReplicas = replicas
  if (object.kind === 'Deployment')
    view.status.conditions = [
      {
        lastTransitionTime: object.metadata.creationTimestamp,
        lastUpdateTime: object.metadata.creationTimestamp,
        message:
          ready >= replicas
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        status: ready >= replicas ? 'True' : 'False',
        type: 'Available',
      },
    ]
  return view
}

/**
 * The workloads of a release that are not ready, with kstatus's message, in manifest order
 * (what Helm 4's watcher lists when it gives up).
 */
export function unreadyWorkloads(cluster, key, specs = failSpecs()) {
  const result = []
  for (const {release, object} of cluster.objects) {
    if (release !== key || !WORKLOAD_KINDS.has(object.kind) || object.kind === 'Job') continue
    const status = withStatus(cluster, object, specs).status
    const want = object.spec?.replicas ?? 1
    if (status.readyReplicas >= want) continue
    const message =
      object.kind === 'Deployment'
        ? `Available: ${status.availableReplicas}/${want}`
        : `Ready: ${status.readyReplicas}/${want}`
    result.push({
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      message,
    })
  }
  return result
}
