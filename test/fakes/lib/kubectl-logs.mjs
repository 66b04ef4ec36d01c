// Container logs as the kubelet keeps them, for `kubectl logs` and pod restarts. A test writes
// a container's log in the CRI format the kubelet reads (/var/log/pods/…/<container>/<N>.log:
// `<RFC3339Nano time> <stdout|stderr> <P|F> <message>`, P = a partial line continued by the
// next entry) to $GENIRO_FAKE_STATE/pod-logs/<namespace>/<pod>/<container>/<N>.log, where N
// is the container's restart count: writing N+1.log restarts the container (the pod's
// restartCount, containerID and lastState follow, and a `kubectl logs -f` of instance N ends,
// as kubectl's does when its container exits). Pods without such a directory keep the
// fail-spec logs of cluster.mjs.
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {die, last, isTrue, loadCluster, out, parseDuration, sleepMs, statePath} from './common.mjs'

const POLL_MS = 100

function containerDir(namespace, pod, container) {
  return statePath('pod-logs', namespace, pod, container)
}

/** The instances (restart counts) a container has a log for, in order. */
export function logInstances(namespace, pod, container) {
  const dir = containerDir(namespace, pod, container)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .map((f) => /^(\d+)\.log$/.exec(f)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
}

function hasLogs(entry) {
  return existsSync(statePath('pod-logs', entry.namespace, entry.pod.metadata.name))
}

/** The pod's status with each container's instance: restart count, container ID, last state. */
export function withLogInstances(entry, pod) {
  if (!hasLogs(entry)) return pod
  for (const status of pod.status?.containerStatuses ?? []) {
    const instances = logInstances(entry.namespace, pod.metadata.name, status.name)
    const current = instances.at(-1)
    if (!current) continue
    const file = path.join(
      containerDir(entry.namespace, pod.metadata.name, status.name),
      `${current}.log`,
    )
    const startedAt = statSync(file)
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z')
    status.restartCount = Math.max(status.restartCount ?? 0, current)
    status.containerID = `containerd://${createHash('sha256').update(`${pod.metadata.uid}/${status.name}/${current}`).digest('hex')}`
    status.lastState = {
      terminated: {
        containerID: `containerd://${createHash('sha256')
          .update(`${pod.metadata.uid}/${status.name}/${current - 1}`)
          .digest('hex')}`,
        exitCode: 1,
        finishedAt: startedAt,
        reason: 'Error',
        startedAt: pod.metadata.creationTimestamp,
      },
    }
    if (status.state?.running) status.state = {running: {startedAt}}
  }
  return pod
}

/** CRI log entries of one file, partial lines joined. */
function readEntries(file) {
  const entries = []
  let partial = ''
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/.exec(line)
    if (!m) continue
    if (m[3] === 'P') {
      partial += m[4]
      continue
    }
    entries.push({time: m[1], message: partial + m[4]})
    partial = ''
  }
  return entries
}

/**
 * `kubectl logs` for the candidates that have CRI logs (printing them, and following with -f
 * until each container's instance ends or its pod goes); returns the candidates it left to
 * the caller.
 */
export function criLogs(candidates, {flags, namespace, clusterId}) {
  const handled = candidates.filter(hasLogs)
  if (handled.length === 0) return candidates
  const since = last(flags, 'since')
  const sinceTime = last(flags, 'since-time')
  if (since !== undefined && sinceTime !== undefined)
    die('error: at most one of `sinceTime` or `sinceSeconds` may be specified')
  const sinceMs =
    since !== undefined
      ? Date.now() - (parseDuration(since) ?? 0)
      : sinceTime !== undefined
        ? Date.parse(sinceTime)
        : undefined
  if (sinceMs !== undefined && Number.isNaN(sinceMs))
    die(
      `error: parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`,
    )
  const tail = Number(last(flags, 'tail', '-1'))
  const previous = isTrue(flags, 'previous')
  const follow = isTrue(flags, 'follow') && !previous
  const timestamps = isTrue(flags, 'timestamps')
  const prefixed = isTrue(flags, 'prefix') || handled.length > 1
  const streams = handled.map((entry) => {
    const containers = entry.pod.spec.containers.map((c) => c.name)
    const container = last(flags, 'container') ?? containers[0]
    if (!containers.includes(container))
      die(`error: container ${container} is not valid for pod ${entry.pod.metadata.name}`)
    const instances = logInstances(namespace, entry.pod.metadata.name, container)
    const current = instances.at(-1) ?? 0
    const instance = previous ? current - 1 : current
    if (previous && !instances.includes(instance))
      die(
        `Error from server (BadRequest): previous terminated container "${container}" in pod "${entry.pod.metadata.name}" not found`,
      )
    const file = path.join(
      containerDir(namespace, entry.pod.metadata.name, container),
      `${instance}.log`,
    )
    return {entry, container, instance, file, printed: 0}
  })
  const show = (stream, entries) => {
    const prefix = prefixed ? `[pod/${stream.entry.pod.metadata.name}/${stream.container}] ` : ''
    out(
      entries
        .map((e) => `${prefix}${timestamps ? `${rfc3339Nano(e.time)} ` : ''}${e.message}\n`)
        .join(''),
    )
  }
  for (const stream of streams) {
    let entries = existsSync(stream.file) ? readEntries(stream.file) : []
    stream.printed = entries.length
    if (tail >= 0) entries = entries.slice(Math.max(0, entries.length - tail))
    if (sinceMs !== undefined) entries = entries.filter((e) => Date.parse(e.time) >= sinceMs)
    show(stream, entries)
  }
  while (follow && streams.length > 0) {
    sleepMs(POLL_MS)
    const pods = new Set((loadCluster(clusterId)?.pods ?? []).map((p) => p.pod.metadata.uid))
    for (const stream of [...streams]) {
      const entries = existsSync(stream.file) ? readEntries(stream.file) : []
      show(stream, entries.slice(stream.printed))
      stream.printed = entries.length
      const ended =
        !pods.has(stream.entry.pod.metadata.uid) ||
        logInstances(namespace, stream.entry.pod.metadata.name, stream.container).at(-1) >
          stream.instance
      if (ended) streams.splice(streams.indexOf(stream), 1)
    }
  }
  return candidates.filter((c) => !handled.includes(c))
}

/** Go's RFC3339Nano, as the kubelet prints a line's time: the fraction without trailing zeros. */
function rfc3339Nano(time) {
  return time.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, digits) =>
    digits ? `.${digits}` : '',
  )
}
