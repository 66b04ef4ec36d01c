// The lines of `geniro-dev logs`: kubectl's timestamped lines parsed, ordered across pods,
// prefixed with where they come from, and a followed container's stream resumed without
// repeating what was printed. Pure: the kubectl processes are the service's business.

/** Where a line comes from. */
export interface LogSource {
  component: string
  pod: string
  container: string
  /**
   * The prefix names the container: an init container or a sidecar. The pod's main (first)
   * container goes without, since its lines are most of what `logs` shows.
   */
  showContainer: boolean
}

/** One log line, as `kubectl logs --timestamps` gives it. */
export interface LogLine {
  /** RFC 3339 as the kubelet wrote it; '' when the line had none. */
  time: string
  /** `time` in a form that sorts as time does (nanoseconds, fixed width). */
  order: string
  message: string
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (.*)$/s

/**
 * Splits `kubectl logs --timestamps` output's line into its RFC 3339 time and the message.
 * The kubelet trims trailing zeros of the fraction (RFC3339Nano), so times are compared in a
 * fixed-width form; a line without a time sorts first and keeps its text.
 */
export function parseLogLine(line: string): LogLine {
  const match = TIMESTAMP.exec(line)
  if (!match) return {time: '', order: '', message: line}
  const [seconds, fraction = '', zone, message] = [match[1]!, match[2], match[3]!, match[4]!]
  const epoch = Date.parse(`${seconds}${zone}`)
  if (Number.isNaN(epoch)) return {time: '', order: '', message: line}
  const order = `${String(Math.floor(epoch / 1000)).padStart(12, '0')}.${fraction.padEnd(9, '0')}`
  return {time: line.slice(0, line.length - message.length - 1), order, message}
}

/** `[api/geniro-api-7d9f…-x2k4q]`, with `/container` for any but the pod's main container. */
export function logPrefix(source: LogSource): string {
  const where = `${source.component}/${source.pod}`
  return `[${source.showContainer ? `${where}/${source.container}` : where}]`
}

/** A line as `logs` prints it: the prefix, the time when asked for, the message. */
export function formatLogLine(source: LogSource, line: LogLine, timestamps: boolean): string {
  const time = timestamps && line.time ? `${line.time} ` : ''
  return `${logPrefix(source)} ${time}${line.message}`
}

/** A line as `logs --json` prints it (one JSON object per line). */
export function logLineJson(source: LogSource, line: LogLine): Record<string, string> {
  return {
    time: line.time,
    component: source.component,
    pod: source.pod,
    container: source.container,
    message: line.message,
  }
}

/**
 * The lines of several containers in time order. Stable: the lines of one container keep
 * their order (equal times, lines without one).
 */
export function mergeByTime<T extends {line: LogLine}>(entries: readonly T[]): T[] {
  return entries
    .map((entry, index) => ({entry, index}))
    .sort((a, b) =>
      a.entry.line.order === b.entry.line.order
        ? a.index - b.index
        : a.entry.line.order < b.entry.line.order
          ? -1
          : 1,
    )
    .map(({entry}) => entry)
}

/** Cuts a stream of chunks into whole lines; the last, unfinished one waits for more. */
export class LineSplitter {
  private pending = ''

  push(chunk: string): string[] {
    const text = this.pending + chunk
    const lines = text.split('\n')
    this.pending = lines.pop() ?? ''
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  }

  /** What is left once the stream ended (a last line without a newline). */
  end(): string[] {
    const rest = this.pending
    this.pending = ''
    return rest === '' ? [] : [rest]
  }
}

/**
 * How far a followed container's log was printed: the last time seen and how many lines had
 * that very time. kubectl's `--since-time` includes lines at that time, so a stream resumed
 * from it (after a restart, a lost connection) starts with lines already printed: `fresh`
 * drops them.
 */
export class ResumePoint {
  private last = ''
  private atLast = 0
  /** Lines at `last` still to skip in the resumed stream. */
  private skipping = 0

  /** The RFC 3339 time to resume from, or undefined when nothing was printed yet. */
  since: string | undefined

  /** Starts a resumed stream: the lines at the resume time were printed already. */
  resume(): void {
    this.skipping = this.atLast
  }

  /** Whether a line of the (resumed) stream is new, and records it when it is. */
  fresh(line: LogLine): boolean {
    if (line.order === '') return true
    if (this.last !== '' && line.order < this.last) return false
    if (line.order === this.last && this.skipping > 0) {
      this.skipping--
      return false
    }
    this.skipping = 0
    if (line.order === this.last) this.atLast++
    else {
      this.last = line.order
      this.atLast = 1
    }
    this.since = line.time
    return true
  }
}
