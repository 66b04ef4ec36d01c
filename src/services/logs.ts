import {setTimeout as sleep} from 'node:timers/promises'
import type {PodContainer, ReleasePod} from '../adapters/kubectl.js'
import {GeniroError, InterruptedError, UsageError, UserError} from '../core/errors.js'
import {IMAGE_COMPONENTS} from '../core/image-override.js'
import {
  LineSplitter,
  ResumePoint,
  formatLogLine,
  logLineJson,
  logPrefix,
  mergeByTime,
  parseLogLine,
  type LogLine,
  type LogSource,
} from '../core/log-lines.js'
import {resolveTarget, type Target, type TargetInput} from './cluster-target.js'
import type {ServiceContext} from './context.js'

/** The components whose pods have logs: the workloads', and PostgreSQL's init Job. */
export const LOG_COMPONENTS = [...IMAGE_COMPONENTS, 'postgresql-init'] as const

export interface LogsInput extends TargetInput {
  /** Only these components' pods; every pod of the release when empty. */
  components: string[]
  follow: boolean
  /** Seconds: only newer lines. */
  sinceSeconds?: number
  /** The last N lines of each container; all when undefined. */
  tail?: number
  timestamps: boolean
  json: boolean
}

export interface LogsContext extends Pick<ServiceContext, 'tools' | 'signal' | 'note'> {
  /** One printed line (text, or a JSON object under --json). */
  write: (line: string) => void
  /** How often a follow lists the pods again (new pods, restarts). */
  pollMs?: number
}

const POLL_MS = 2_000
/** Containers read at once without -f. */
const CONCURRENT_READS = 6

/**
 * `geniro-dev logs`: the release's pods' logs, each line prefixed with its component and pod.
 * Without -f, every container's lines in time order; with -f, lines as they come, until
 * Ctrl-C — pods that appear later and restarted containers (a new instance, a new log) are
 * followed too, each resumed where it was, without repeating a line.
 */
export async function releaseLogs(input: LogsInput, ctx: LogsContext): Promise<void> {
  for (const component of input.components) {
    if (!(LOG_COMPONENTS as readonly string[]).includes(component)) {
      throw new UsageError(
        `unknown component "${component}"`,
        `use any of: ${LOG_COMPONENTS.join(', ')}`,
      )
    }
  }
  const target = await resolveTarget(input, ctx.tools, ctx.signal)
  if (target.managed && target.state !== 'running') {
    throw new UserError(
      `the ${target.provider.name} cluster "${target.cluster}" is ${target.state === 'absent' ? 'not there' : 'stopped'}`,
      'start it with `geniro-dev up`',
    )
  }
  const pods = await listPods(target, input, ctx)
  if (pods.length === 0) await requireRelease(target, ctx)
  if (input.follow) await follow(target, input, ctx, pods)
  else await printOnce(target, input, ctx, pods)
}

async function listPods(target: Target, input: LogsInput, ctx: LogsContext): Promise<ReleasePod[]> {
  const pods = await ctx.tools.kubectl.releasePods(
    target.release,
    target.namespace,
    target.kubeContext,
    ctx.signal,
  )
  return pods.filter(
    (pod) => input.components.length === 0 || input.components.includes(pod.component),
  )
}

async function requireRelease(target: Target, ctx: LogsContext): Promise<void> {
  const {release, namespace, kubeContext} = target
  if (await ctx.tools.helm.release(release, namespace, kubeContext, ctx.signal)) return
  throw new UserError(
    `release "${release}" is not installed in namespace "${namespace}"`,
    'install it with `geniro-dev up`',
  )
}

function sourceOf(pod: ReleasePod, container: PodContainer): LogSource {
  return {
    component: pod.component,
    pod: pod.name,
    container: container.name,
    showContainer: container !== pod.containers.find((c) => !c.init),
  }
}

function render(input: LogsInput, source: LogSource, line: LogLine): string {
  return input.json
    ? JSON.stringify(logLineJson(source, line))
    : formatLogLine(source, line, input.timestamps)
}

/** A container that has not started has no log yet (kubectl would say it is waiting). */
function hasLog(container: PodContainer): boolean {
  return container.state !== 'waiting' || container.restarts > 0
}

async function printOnce(
  target: Target,
  input: LogsInput,
  ctx: LogsContext,
  pods: ReleasePod[],
): Promise<void> {
  const readable = pods.flatMap((pod) =>
    pod.containers.filter(hasLog).map((container) => ({pod, container})),
  )
  const entries: Array<{source: LogSource; line: LogLine}> = []
  for (let i = 0; i < readable.length; i += CONCURRENT_READS) {
    const batch = await Promise.all(
      readable.slice(i, i + CONCURRENT_READS).map(async ({pod, container}) => {
        const source = sourceOf(pod, container)
        try {
          const text = await ctx.tools.kubectl.containerLogs(
            logsRequest(target, pod, container, input),
            ctx.signal,
          )
          return text === '' ? [] : text.split('\n').map((l) => ({source, line: parseLogLine(l)}))
        } catch (error) {
          if (!(error instanceof GeniroError) || ctx.signal.aborted) throw error
          ctx.note(`${logPrefix(source)} (no log: ${error.reason})`)
          return []
        }
      }),
    )
    entries.push(...batch.flat())
  }
  for (const {source, line} of mergeByTime(entries)) ctx.write(render(input, source, line))
}

function logsRequest(
  target: Target,
  pod: ReleasePod,
  container: PodContainer,
  input: Pick<LogsInput, 'sinceSeconds' | 'tail'>,
  sinceTime?: string,
) {
  return {
    pod: pod.name,
    container: container.name,
    namespace: target.namespace,
    kubeContext: target.kubeContext,
    follow: false,
    ...(sinceTime
      ? {sinceTime}
      : {
          ...(input.sinceSeconds ? {since: `${input.sinceSeconds}s`} : {}),
          ...(input.tail !== undefined ? {tail: input.tail} : {}),
        }),
  }
}

/** One followed container: its kubectl stream and how far its log was printed. */
interface Followed {
  running: boolean
  /** The restart count when the stream started: a higher one is a new instance. */
  restarts: number
  resume: ResumePoint
  lastNote?: string
}

async function follow(
  target: Target,
  input: LogsInput,
  ctx: LogsContext,
  first: ReleasePod[],
): Promise<void> {
  const followed = new Map<string, Followed>()
  const streams = new Set<Promise<void>>()
  const startedWith = new Set(
    first.flatMap((pod) => pod.containers.map((c) => `${pod.name}/${c.name}`)),
  )
  let pods = first
  // A bug in a stream (not a tool's failure) ends the follow with it.
  let fatal: unknown
  while (!ctx.signal.aborted) {
    if (fatal) throw fatal
    for (const pod of pods) {
      for (const container of pod.containers) {
        const key = `${pod.name}/${container.name}`
        const known = followed.get(key)
        if (known?.running || !hasLog(container)) continue
        if (known && container.restarts === known.restarts && container.state !== 'running')
          continue
        const entry: Followed = known ?? {running: false, restarts: 0, resume: new ResumePoint()}
        followed.set(key, entry)
        // What ran before geniro-dev started is limited by --tail/--since; anything newer
        // (a pod that came later, a container's next instance) is printed whole.
        const request = known
          ? logsRequest(target, pod, container, {}, entry.resume.since)
          : startedWith.has(key)
            ? logsRequest(target, pod, container, input)
            : logsRequest(target, pod, container, {})
        if (known) entry.resume.resume()
        entry.running = true
        entry.restarts = container.restarts
        const stream = streamContainer(entry, sourceOf(pod, container), request, input, ctx)
          .catch((error: unknown) => {
            fatal ??= error
          })
          .finally(() => streams.delete(stream))
        streams.add(stream)
      }
    }
    await sleep(ctx.pollMs ?? POLL_MS, undefined, {signal: ctx.signal}).catch(() => undefined)
    if (ctx.signal.aborted) break
    try {
      pods = await listPods(target, input, ctx)
    } catch (error) {
      // The API server may be away for a moment (a restart); the next round asks again.
      if (!(error instanceof GeniroError) || ctx.signal.aborted) throw error
      ctx.note(`(listing the pods failed: ${error.reason}; trying again)`)
    }
  }
  await Promise.allSettled([...streams])
  if (fatal) throw fatal
  throw new InterruptedError('stopped following the logs')
}

async function streamContainer(
  entry: Followed,
  source: LogSource,
  request: ReturnType<typeof logsRequest>,
  input: LogsInput,
  ctx: LogsContext,
): Promise<void> {
  const splitter = new LineSplitter()
  const print = (lines: string[]) => {
    for (const text of lines) {
      const line = parseLogLine(text)
      if (entry.resume.fresh(line)) ctx.write(render(input, source, line))
    }
  }
  try {
    await ctx.tools.kubectl.followContainerLogs(
      request,
      (text) => print(splitter.push(text)),
      ctx.signal,
    )
    print(splitter.end())
  } catch (error) {
    if (ctx.signal.aborted) return
    if (!(error instanceof GeniroError)) throw error
    print(splitter.end())
    // Said once per reason: a container waiting to start fails the same way every round.
    if (entry.lastNote !== error.reason) {
      entry.lastNote = error.reason
      ctx.note(`${logPrefix(source)} (cannot follow: ${error.reason})`)
    }
  } finally {
    entry.running = false
  }
}
