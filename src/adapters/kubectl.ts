import type {ReleaseService} from '../core/forward-plan.js'
import {ToolFailedError} from '../core/errors.js'
import {stderrTail, type Exec} from './exec.js'
import {ToolAdapter} from './tool.js'

export interface PodSummary {
  name: string
  component: string
  phase: string
  ready: boolean
  restarts: number
  /** e.g. CrashLoopBackOff, ImagePullBackOff */
  waitingReason?: string
  waitingMessage?: string
}

export interface PodEvent {
  type: string
  reason: string
  message: string
}

interface PodJson {
  metadata: {name: string; labels?: Record<string, string>}
  status?: {
    phase?: string
    containerStatuses?: Array<{
      ready?: boolean
      restartCount?: number
      state?: {waiting?: {reason?: string; message?: string}}
    }>
  }
}

/** kubectl, always with an explicit --context: never the user's current one by accident. */
export class Kubectl extends ToolAdapter {
  constructor(exec?: Exec, binary = 'kubectl') {
    super(exec, binary)
  }

  /** e.g. "v1.34.5"; never contacts a cluster. */
  async clientVersion(): Promise<string> {
    const result = await this.run(['version', '--client', '-o', 'json'])
    const parsed = this.parseJson<{clientVersion?: {gitVersion?: string}}>(result)
    return parsed.clientVersion?.gitVersion ?? result.stdout.trim()
  }

  /** The API server's version, e.g. "v1.33.1", or undefined when it does not answer. */
  async serverVersion(kubeContext: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.run(
      ['version', '-o', 'json', '--context', kubeContext, '--request-timeout=10s'],
      {signal, okExitCodes: [1]},
    )
    if (result.exitCode !== 0) return undefined
    const parsed = this.parseJson<{serverVersion?: {gitVersion?: string}}>(result)
    return parsed.serverVersion?.gitVersion
  }

  /** The API server's readiness (`ok` when ready), asked with a short request timeout. */
  async readyz(kubeContext: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const {stdout} = await this.run(this.readyzArgs(kubeContext), {signal, timeoutMs})
    return stdout.trim()
  }

  readyzArgs(kubeContext: string): string[] {
    return ['--context', kubeContext, 'get', '--raw', '/readyz', '--request-timeout=5s']
  }

  async pods(namespace: string, kubeContext: string, signal?: AbortSignal): Promise<PodSummary[]> {
    const result = await this.run(
      ['get', 'pods', '--context', kubeContext, '--namespace', namespace, '--output', 'json'],
      {signal},
    )
    const items = this.parseJson<{items?: PodJson[]}>(result).items ?? []
    return items.map((pod) => {
      const statuses = pod.status?.containerStatuses ?? []
      const waiting = statuses.find((s) => s.state?.waiting)?.state?.waiting
      return {
        name: pod.metadata.name,
        component: pod.metadata.labels?.['app.kubernetes.io/component'] ?? 'unknown',
        phase: pod.status?.phase ?? 'Unknown',
        ready: statuses.length > 0 && statuses.every((s) => s.ready),
        restarts: statuses.reduce((total, s) => total + (s.restartCount ?? 0), 0),
        ...(waiting?.reason ? {waitingReason: waiting.reason} : {}),
        ...(waiting?.message ? {waitingMessage: waiting.message} : {}),
      }
    })
  }

  async events(
    namespace: string,
    kubeContext: string,
    pod: string,
    signal?: AbortSignal,
  ): Promise<PodEvent[]> {
    const result = await this.run(
      [
        'get',
        'events',
        '--context',
        kubeContext,
        '--namespace',
        namespace,
        '--field-selector',
        `involvedObject.name=${pod}`,
        '--output',
        'json',
      ],
      {signal},
    )
    const items =
      this.parseJson<{items?: Array<{type?: string; reason?: string; message?: string}>}>(result)
        .items ?? []
    return items.map((event) => ({
      type: event.type ?? '',
      reason: event.reason ?? '',
      message: event.message ?? '',
    }))
  }

  async logs(
    namespace: string,
    kubeContext: string,
    pod: string,
    tail: number,
    signal?: AbortSignal,
  ): Promise<string> {
    const {stdout} = await this.run(
      [
        'logs',
        pod,
        '--context',
        kubeContext,
        '--namespace',
        namespace,
        '--all-containers',
        '--tail',
        String(tail),
      ],
      {signal},
    )
    return stdout
  }

  /** `kubectl get KIND -o json` of the release's objects, by the chart's instance label. */
  private releaseObjects(
    kind: 'pods' | 'services',
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ) {
    const selector = `app.kubernetes.io/instance=${release}`
    return this.run(
      [
        'get',
        kind,
        '--context',
        kubeContext,
        '--namespace',
        namespace,
        '--selector',
        selector,
        '--output',
        'json',
      ],
      {signal},
    )
  }

  /** The release's pods (by the chart's instance label), each container with its instance. */
  async releasePods(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<ReleasePod[]> {
    const result = await this.releaseObjects('pods', release, namespace, kubeContext, signal)
    const items = this.parseJson<{items?: ReleasePodJson[]}>(result).items ?? []
    return items.map((pod) => {
      const statuses = [
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.containerStatuses ?? []),
      ]
      const container = (name: string, init: boolean): PodContainer => {
        const status = statuses.find((s) => s.name === name)
        const state = status?.state?.running
          ? 'running'
          : status?.state?.terminated
            ? 'terminated'
            : 'waiting'
        return {name, init, restarts: status?.restartCount ?? 0, state}
      }
      return {
        name: pod.metadata.name,
        component: pod.metadata.labels?.['app.kubernetes.io/component'] ?? 'unknown',
        containers: [
          ...(pod.spec?.initContainers ?? []).map((c) => container(c.name, true)),
          ...(pod.spec?.containers ?? []).map((c) => container(c.name, false)),
        ],
      }
    })
  }

  /** `kubectl logs` of one container, each line with its time (`--timestamps`). */
  logsArgs(input: LogsInput): string[] {
    return [
      'logs',
      input.pod,
      '--context',
      input.kubeContext,
      '--namespace',
      input.namespace,
      '--container',
      input.container,
      '--timestamps',
      ...(input.follow ? ['--follow'] : []),
      ...(input.since ? [`--since=${input.since}`] : []),
      ...(input.sinceTime ? [`--since-time=${input.sinceTime}`] : []),
      ...(input.tail !== undefined ? [`--tail=${input.tail}`] : []),
    ]
  }

  /** A container's log as it is now. */
  async containerLogs(input: LogsInput, signal?: AbortSignal): Promise<string> {
    return (await this.run(this.logsArgs({...input, follow: false}), {signal, timeoutMs: 60_000}))
      .stdout
  }

  /**
   * Follows a container's log until the container ends (kubectl then exits 0) or the signal
   * aborts; each piece of output goes to `onText` as it arrives.
   */
  async followContainerLogs(
    input: LogsInput,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.run(this.logsArgs({...input, follow: true}), {
      signal,
      timeoutMs: FOLLOW_TIMEOUT_MS,
      onOutput: (stream, text) => {
        if (stream === 'stdout') onText(text)
      },
    })
  }

  /** The release's Services (headless ones excluded), by their component label, with their ports. */
  async releaseServices(
    release: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<ReleaseService[]> {
    const result = await this.releaseObjects('services', release, namespace, kubeContext, signal)
    const items =
      (
        this.parseJson(result) as {
          items?: Array<{
            metadata: {name: string; labels?: Record<string, string>}
            spec?: {clusterIP?: string; ports?: Array<{name?: string; port?: number}>}
          }>
        }
      ).items ?? []
    return items
      .filter((svc) => svc.spec?.clusterIP !== 'None')
      .map((svc) => ({
        name: svc.metadata.name,
        component: svc.metadata.labels?.['app.kubernetes.io/component'] ?? '',
        ports: (svc.spec?.ports ?? [])
          .filter((p) => Number.isInteger(p.port))
          .map((p) => ({name: p.name ?? '', port: p.port!})),
      }))
      .filter((svc) => svc.component !== '')
  }

  /** A Secret's decoded data, or undefined when there is no such Secret. */
  async secretData(
    name: string,
    namespace: string,
    kubeContext: string,
    signal?: AbortSignal,
  ): Promise<Record<string, string> | undefined> {
    const result = await this.run(
      [
        'get',
        'secret',
        name,
        '--context',
        kubeContext,
        '--namespace',
        namespace,
        '--output',
        'json',
      ],
      {signal, okExitCodes: [1]},
    )
    if (result.exitCode !== 0) {
      if (/NotFound/.test(result.stderr)) return undefined
      throw new ToolFailedError(result.command, result.exitCode, stderrTail(result.stderr))
    }
    const data = this.parseJson<{data?: Record<string, string>}>(result).data ?? {}
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [
        key,
        Buffer.from(value, 'base64').toString('utf8'),
      ]),
    )
  }

  applyArgs(kubeContext: string, namespace: string): string[] {
    return ['apply', '--context', kubeContext, '--namespace', namespace, '--filename', '-']
  }

  /** `kubectl apply` of objects given on stdin (a secret never appears in an argv). */
  async apply(
    objects: unknown[],
    kubeContext: string,
    namespace: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.run(this.applyArgs(kubeContext, namespace), {
      signal,
      input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: objects}),
    })
  }

  runOnceArgs(input: RunOnceInput): string[] {
    return [
      'run',
      input.name,
      '--context',
      input.kubeContext,
      '--namespace',
      input.namespace,
      '--image',
      input.image,
      '--restart',
      'Never',
      '--rm',
      '--attach',
      '--quiet',
      `--pod-running-timeout=${input.timeoutSeconds}s`,
      '--command',
      '--',
      ...input.command,
    ]
  }

  /**
   * A one-off pod (`kubectl run --rm --attach`): its output and kubectl's exit code (1 when the
   * container failed). Pulling the image may take a while: the timeout allows for it.
   */
  async runOnce(
    input: RunOnceInput,
    signal?: AbortSignal,
  ): Promise<{exitCode: number; output: string}> {
    const result = await this.run(this.runOnceArgs(input), {
      signal,
      okExitCodes: [1],
      timeoutMs: (input.timeoutSeconds + 120) * 1000,
    })
    return {exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}`.trim()}
  }
}

/** A pod of a release as `logs` follows it: its component and each container's instance. */
export interface ReleasePod {
  name: string
  component: string
  containers: PodContainer[]
}

export interface PodContainer {
  name: string
  /** An init container (runs to completion before the others start). */
  init: boolean
  /** Bumped by each restart: a new instance with a log of its own. */
  restarts: number
  state: 'running' | 'waiting' | 'terminated'
}

interface ContainerStatusJson {
  name: string
  restartCount?: number
  state?: {running?: unknown; waiting?: unknown; terminated?: unknown}
}

interface ReleasePodJson {
  metadata: {name: string; labels?: Record<string, string>}
  spec?: {initContainers?: Array<{name: string}>; containers?: Array<{name: string}>}
  status?: {
    initContainerStatuses?: ContainerStatusJson[]
    containerStatuses?: ContainerStatusJson[]
  }
}

/** One container's log, as `kubectl logs` reads it. */
export interface LogsInput {
  pod: string
  container: string
  namespace: string
  kubeContext: string
  follow: boolean
  /** A duration kubectl accepts (`10m`): only newer lines. */
  since?: string
  /** RFC 3339: only lines at or after it (a resumed stream). */
  sinceTime?: string
  /** The last N lines; all when undefined. */
  tail?: number
}

/** A followed log ends when its container does; no timeout of its own (Node's timer maximum). */
const FOLLOW_TIMEOUT_MS = 2 ** 31 - 1

export interface RunOnceInput {
  name: string
  image: string
  namespace: string
  kubeContext: string
  command: string[]
  timeoutSeconds: number
}
