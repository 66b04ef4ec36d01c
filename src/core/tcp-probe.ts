// The TCP probe a throwaway container runs on the cluster nodes' network (Docker.probeTcp):
// the script it runs and how its output reads. Pure: the adapter runs it.

/**
 * The image of the throwaway container probeTcp runs: pinned, and overridable (air-gapped
 * machines, mirrors). Any image with a busybox `sh` and `nc` on PATH does.
 */
export const DEFAULT_PROBE_IMAGE = 'busybox:1.37.0'
/** Names of probe containers; a random suffix makes each unique. */
export const PROBE_CONTAINER_PREFIX = 'geniro-dev-probe-'
const PROBE_MARK = 'geniro-dev-probe exit='

export type TcpProbeReason = 'connected' | 'refused' | 'timeout' | 'unresolved' | 'unreachable'

export interface TcpProbe {
  reachable: boolean
  reason: TcpProbeReason
  /** What the probe saw, in nc's own words where it failed. */
  detail: string
}

export interface TcpProbeInput {
  /** The Docker network the probe container joins (the cluster nodes' network). */
  network: string
  image: string
  host: string
  port: number
  /** How long the TCP connect may take inside the container. */
  timeoutSeconds: number
  signal?: AbortSignal
}

/**
 * Busybox has two `nc`s. The full one (CONFIG_NC_110_COMPAT, on in busybox's defconfig, which
 * the busybox images build from) only reports why a connect failed with `-vv` ("nc: H (IP:PORT): Connection refused" / "…
 * Connection timed out"); the small one (Debian's busybox-static) refuses `-v` with "invalid
 * option" and then says "nc: can't connect to remote host (IP): Connection refused" or, when
 * `-w` expires, "nc: timed out". Both resolve names with "nc: bad address 'H'". `-e true` closes
 * the connection as soon as it is made, so a server that never speaks first cannot hold the
 * probe open. The last line tells the container's own exit from nc's.
 */
export const PROBE_SCRIPT = [
  'out=$(nc -vv -w "$3" "$1" "$2" -e true 2>&1 </dev/null); rc=$?',
  'case "$out" in *"invalid option"*|*"unrecognized option"*|*Usage:*)',
  '  out=$(nc -w "$3" "$1" "$2" -e true 2>&1 </dev/null); rc=$? ;;',
  'esac',
  'printf "%s\\n" "$out"',
  `echo "${PROBE_MARK}$rc"`,
].join('\n')

/** Reads the probe script's output: nc's words, then the marker line with nc's exit code. */
export function parseProbeOutput(stdout: string): TcpProbe | undefined {
  const lines = stdout.split('\n').map((line) => line.trim())
  const markIndex = lines.findLastIndex((line) => line.startsWith(PROBE_MARK))
  if (markIndex < 0) return undefined
  const exitCode = Number(lines[markIndex]!.slice(PROBE_MARK.length))
  const said = lines.slice(0, markIndex).filter(Boolean)
  const detail = said.join(' | ')
  if (exitCode === 0) return {reachable: true, reason: 'connected', detail: detail || 'connected'}
  return {
    reachable: false,
    reason: failureReason(detail),
    detail: detail || `nc exited ${exitCode}`,
  }
}

function failureReason(words: string): Exclude<TcpProbeReason, 'connected'> {
  if (/refused/i.test(words)) return 'refused'
  if (/timed out/i.test(words)) return 'timeout'
  if (/bad address|unknown host|not known|name resolution|resolve/i.test(words)) {
    return 'unresolved'
  }
  return 'unreachable'
}
