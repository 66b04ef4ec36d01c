// Known failures of the tools geniro-dev drives, read from their own words: each becomes one
// line of cause and one line of fix. The patterns quote the tools' real messages; the comment
// on each names where the text comes from. Pure: no I/O.
import type {ExitCodeName} from './exit-codes.js'
import {kindFitFor, nodeImageTag} from './kind-releases.js'

export interface KnownFailure {
  /** Stable name of the failure, e.g. "kind-image-offline" (in --json as `failure`). */
  id: string
  /** What happened, in one line. */
  cause: string
  /** What to do, in one line. */
  fix: string
  /** A better documented exit code than toolFailed, when one applies. */
  exitCodeName?: ExitCodeName
}

export interface FailureInput {
  /** The program's name (basename of argv[0]): kind, minikube, helm, docker… */
  tool: string
  args: readonly string[]
  exitCode?: number
  /** Everything it printed (stderr, then stdout). */
  output: string
}

interface Rule {
  id: string
  /** Only these tools' output is read; every tool's when absent. */
  tools?: readonly string[]
  pattern: RegExp
  /** The explanation; its `id` (when given) names a finer case than the rule's. */
  explain: (match: RegExpExecArray, input: FailureInput) => Explanation
}

type Explanation = Omit<KnownFailure, 'id'> & {id?: string}

const START_DOCKER =
  'start Docker (`sudo systemctl start docker`, or open Docker Desktop), or point DOCKER_HOST / `docker context use` at the engine you run'
const RAISE_INOTIFY =
  '`sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512` (add both to /etc/sysctl.conf to keep them)'
/** Go's net and net/http errors, as dockerd quotes them ("Error response from daemon: Get …"). */
const NO_NETWORK =
  /dial tcp|lookup \S+ on |no such host|network is unreachable|i\/o timeout|connection refused|TLS handshake timeout|Client\.Timeout exceeded|proxyconnect|connection reset by peer|no route to host/i
/** The tools that quote dockerd's words. */
const DOCKER_USERS = ['docker', 'kind', 'minikube']
const MINIKUBE_START = '`minikube start` is run with --cpus=4 --memory=8192'

const RULES: readonly Rule[] = [
  // The Docker CLI's client errors (docker/cli vendor/github.com/docker/docker/client/errors.go,
  // request.go; moby/moby client since 29.x): shown by docker itself, and quoted by kind and
  // minikube after "Command Output:".
  {
    id: 'docker-not-running',
    pattern:
      /Cannot connect to the Docker daemon at (\S+)\. Is the docker daemon running\?|failed to connect to the docker API at (\S+?);/,
    explain: (m) => ({
      cause: `Docker is not running: nothing answers at ${m[1] ?? m[2]}`,
      fix: START_DOCKER,
    }),
  },
  {
    id: 'docker-permission-denied',
    pattern:
      /permission denied while trying to connect to the (?:Docker daemon socket|docker API) at (\S+?)(?::?\s|:?$)/m,
    explain: (m) => ({
      cause: `this user may not use Docker: permission denied on ${m[1]}`,
      fix: 'add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker or Docker Desktop',
    }),
  },
  // ENOSPC as Go prints it; minikube names it RSRC_DOCKER_STORAGE (pkg/minikube/reason/reason.go).
  {
    id: 'disk-full',
    tools: DOCKER_USERS,
    pattern:
      /no space left on device|Exiting due to (?:RSRC_DOCKER_STORAGE|RSRC_PODMAN_STORAGE|RSRC_INSUFFICIENT_STORAGE)/,
    explain: () => ({
      cause: 'the disk Docker writes to is full',
      fix: 'free space: `docker system prune` (add -a to drop unused images too); on Docker Desktop raise Settings → Resources → Disk image size',
    }),
  },
  // dockerd publishing a port (moby portallocator "Bind for %s failed: port is already
  // allocated"; the userland proxy's "listen tcp4 %s: bind: address already in use"), as
  // `docker run` reports it and kind quotes it while preparing nodes.
  {
    id: 'port-in-use',
    tools: DOCKER_USERS,
    pattern:
      /Bind for (\S+) failed: port is already allocated|listen tcp[46]? (\S+): bind: address already in use/,
    explain: (m) => {
      const address = m[1] ?? m[2] ?? ''
      const port = address.slice(address.lastIndexOf(':') + 1)
      return {
        cause: `port ${port} on ${address.slice(0, address.lastIndexOf(':'))} is already taken, so the node's API server cannot be published there`,
        fix: `see what holds it with \`sudo ss -ltnp 'sport = :${port}'\` (or \`docker ps --filter publish=${port}\`), stop that, then re-run`,
      }
    },
  },
  // kind pkg/cluster/internal/providers/docker/images.go: `failed to pull image %q`, then
  // kind's "Command Output:" with dockerd's words.
  {
    id: 'kind-image-pull',
    tools: ['kind'],
    pattern: /failed to pull image "([^"]+)"/,
    explain: (m, input) => explainPull(m[1]!, input.output),
  },
  // kind provider.go `failed to ensure docker network`; libnetwork's IPAM when the default
  // address pools are used up.
  {
    id: 'kind-network-pools',
    tools: ['kind'],
    pattern:
      /non-overlapping IPv4 address pool among the defaults|all predefined address pools have been fully subnetted/,
    explain: () => ({
      cause: 'Docker has no free address range left for the "kind" network',
      fix: '`docker network prune` removes unused networks; or give dockerd more with `default-address-pools` in /etc/docker/daemon.json',
    }),
  },
  {
    id: 'kind-network',
    tools: ['kind'],
    pattern: /failed to ensure docker network/,
    explain: () => ({
      cause: 'kind could not create or use its Docker network "kind"',
      fix: 'check it with `docker network inspect kind`; if no cluster uses it, `docker network rm kind` lets kind create it again',
    }),
  },
  // kind docs, known issues: "Older Linux Distributions" and "Failure to Create Cluster on WSL2".
  {
    id: 'kind-cgroups',
    tools: ['kind'],
    pattern: /does not support cgroup namespaces|error adding pid \d+ to cgroups/,
    explain: () => ({
      cause: "the host's cgroups are not what kind's node containers need",
      fix: 'use a kernel with cgroup namespaces and cgroup v2 (RHEL 7-era kernels cannot run kind; on WSL2 enable cgroup v2), then re-run',
    }),
  },
  // kind docs, known issues: "Pod errors due to too many open files" (inotify limits).
  {
    id: 'inotify-limits',
    tools: ['kind', 'minikube'],
    pattern: /too many open files/i,
    explain: () => ({
      cause: 'the host ran out of inotify watches or instances',
      fix: RAISE_INOTIFY,
    }),
  },
  // kind pkg/cluster/internal/providers/common/cgroups.go: the node's systemd never logged
  // "Reached target Multi-User System" (or "detected cgroup v1").
  {
    id: 'kind-node-boot',
    tools: ['kind'],
    pattern: /could not find a log line that matches/,
    explain: () => ({
      cause: 'the node container never finished booting (its systemd did not start)',
      fix: `raise the inotify limits with ${RAISE_INOTIFY}, and check cgroups with \`docker info | grep -i cgroup\``,
    }),
  },
  // kind's create actions once the node runs (pkg/cluster/internal/create/actions/*: kubeadm
  // init/join, the kubeadm config, containerd's config, CNI, storage class).
  {
    id: 'kind-node-setup',
    tools: ['kind'],
    pattern:
      /failed to (?:init|join) node with kubeadm|failed to generate kubeadm config content|failed to get [Kk]ubernetes version from node|failed to (?:read|patch|write patched) containerd config|failed to apply overlay network|failed to add default storage class/,
    explain: (m, input) => ({
      cause: `kind could not bring up Kubernetes inside the node container (${m[0]})`,
      fix: `\`geniro-dev doctor\` checks that this kind knows the node image; \`kind create cluster --retain\` keeps the node for \`docker logs ${nameArg(input.args) ?? 'NAME'}-control-plane\``,
    }),
  },
  // minikube pkg/minikube/exit/exit.go "Exiting due to {{.fatal_code}}: {{.fatal_msg}}" with
  // the reasons of pkg/minikube/reason/reason.go and cmd/minikube/cmd/start.go.
  {
    id: 'minikube-driver-missing',
    tools: ['minikube'],
    pattern:
      /Exiting due to (DRV_NOT_DETECTED|DRV_NOT_HEALTHY|DRV_NOT_FOUND|DRV_UNSUPPORTED_OS|PROVIDER_[A-Z]+_NOT_FOUND): ?(.*)/,
    explain: (m) => ({
      cause: `minikube found no driver it can use (${m[1]}: ${m[2]!.trim()})`,
      fix: "install and start Docker for minikube's docker driver, or name one that works here with `minikube config set driver <name>`",
    }),
  },
  {
    id: 'minikube-driver-not-running',
    tools: ['minikube'],
    pattern: /Exiting due to (DRV_DOCKER_NOT_RUNNING|PROVIDER_[A-Z]+_NOT_RUNNING): ?(.*)/,
    explain: (m) => ({
      cause: `minikube's driver is not running (${m[1]})`,
      fix: START_DOCKER,
    }),
  },
  {
    id: 'minikube-cpus',
    tools: ['minikube'],
    pattern: /Exiting due to (RSRC_INSUFFICIENT_CORES|RSRC_DOCKER_CORES): ?(.*)/,
    explain: (m) => ({
      cause: `not enough CPUs for minikube: ${m[2]!.trim()}`,
      fix: `give Docker (or minikube's VM) at least 4 CPUs — Docker Desktop: Settings → Resources; ${MINIKUBE_START}`,
    }),
  },
  {
    id: 'minikube-memory',
    tools: ['minikube'],
    pattern:
      /Exiting due to (RSRC_INSUFFICIENT_(?:SYS|REQ|CONTAINER)_MEMORY|RSRC_DOCKER_MEMORY|RSRC_OVER_ALLOC_MEM): ?(.*)/,
    explain: (m) => ({
      cause: `not enough memory for minikube: ${m[2]!.trim()}`,
      fix: `give Docker (or minikube's VM) at least 8 GiB — Docker Desktop: Settings → Resources; ${MINIKUBE_START}`,
    }),
  },
  {
    id: 'minikube-kubernetes-version',
    tools: ['minikube'],
    pattern: /Exiting due to (K8S_NEW_UNSUPPORTED|K8S_OLD_UNSUPPORTED): ?(.*)/,
    explain: (m) => ({
      cause: `this minikube cannot run that Kubernetes version: ${m[2]!.trim()}`,
      fix: 'upgrade minikube, or pass a --k8s-version it supports (`minikube config defaults kubernetes-version` lists them)',
    }),
  },
  // Helm: pkg/chart/common/util/values.go (4.x) and pkg/chartutil/values.go (3.x).
  {
    id: 'helm-values-schema',
    tools: ['helm'],
    pattern:
      /values don't meet the specifications of the schema\(s\) in the following chart\(s\):\n([\s\S]*)/,
    explain: (m) => {
      const violations = m[1]!
        .split('\n')
        .map((line) => /^- (.*)$/.exec(line.trim())?.[1])
        .filter((line): line is string => Boolean(line))
        .map(schemaViolation)
      const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : ''
      return {
        cause: `the values break the chart's schema: ${violations[0] ?? 'see the lines below'}${more}`,
        fix: 'fix that value in your -f file or --set; `geniro-dev values` prints the values in force',
        exitCodeName: 'userError',
      }
    },
  },
  // Helm pkg/kube/client.go IsReachable ("Kubernetes cluster unreachable" in 3.x, lower-case in 4.x).
  {
    id: 'helm-cluster-unreachable',
    tools: ['helm'],
    pattern: /[Kk]ubernetes cluster unreachable/,
    explain: () => ({
      cause: "Helm cannot reach the cluster's API server",
      fix: 'check that the cluster runs (`geniro-dev status`; `geniro-dev up` starts a stopped one) and that the kube context points at it',
    }),
  },
  // Helm pkg/action/action.go errPending.
  {
    id: 'helm-release-pending',
    tools: ['helm'],
    pattern: /another operation \(install\/upgrade\/rollback\) is in progress/,
    explain: () => ({
      cause: 'the release is locked by an unfinished Helm operation (a pending-* revision)',
      fix: 'let the other operation end; if none runs, re-run `geniro-dev up`, which rolls back or removes the unfinished revision',
    }),
  },
  // Helm 4 pkg/kube/statuswait.go ("resource K/ns/name not ready. status: S, message: M" and
  // the context's deadline); Helm 3's legacy wait ends with the same deadline error.
  {
    id: 'helm-wait-timeout',
    tools: ['helm'],
    pattern: /context deadline exceeded|timed out waiting for the condition/,
    explain: (_m, input) => {
      const resource = /resource (\S+) not ready\. status: (\w+)(?:, message: (.*))?/.exec(
        input.output,
      )
      const which = resource
        ? ` (${resource[1]} is ${resource[2]}${resource[3] ? `: ${resource[3].trim()}` : ''})`
        : ''
      const namespace = flagValue(input.args, '--namespace') ?? flagValue(input.args, '-n')
      return {
        cause: `the release was not ready within --timeout${which}`,
        fix: `\`kubectl get pods${namespace ? ` -n ${namespace}` : ''}\` shows which pod is stuck and why; fix that and re-run \`geniro-dev up\`, or pass a longer --timeout`,
      }
    },
  },
]

/** What a failed tool run means, when its words match a failure we know. */
export function recognizeFailure(input: FailureInput): KnownFailure | undefined {
  for (const rule of RULES) {
    if (rule.tools && !rule.tools.includes(input.tool)) continue
    const match = rule.pattern.exec(input.output)
    if (match) {
      const {id = rule.id, ...explained} = rule.explain(match, input)
      return {id, ...explained}
    }
  }
  return undefined
}

/** Failures a too-old kind can cause: the ones kind reports once the node image is there. */
const VERSION_SENSITIVE = new Set(['kind-node-setup', 'kind-node-boot'])

/**
 * A `kind create cluster` failure explained by kind's age: one in the steps after the node
 * started (which is where a node image kind does not know breaks), with a kind older than the
 * release that published the image. Undefined when kind's version explains nothing.
 */
export function kindTooOld(
  known: KnownFailure | undefined,
  kindVersion: string,
  image: string,
): KnownFailure | undefined {
  if (!known || !VERSION_SENSITIVE.has(known.id)) return undefined
  const fit = kindFitFor(kindVersion, image)
  const tag = nodeImageTag(image) ?? image
  const installed = kindVersion.match(/v?\d+\.\d+\.\d+/)?.[0] ?? kindVersion
  const needed =
    fit.fit === 'too-old'
      ? (fit.builtFor ?? fit.firstKind)
      : fit.fit === 'older'
        ? fit.builtFor
        : ''
  if (!needed) return undefined
  return {
    id: 'kind-too-old',
    cause:
      fit.fit === 'too-old'
        ? `kind ${installed} is older than Kubernetes ${fit.minor}: kindest/node:${tag} needs kind v${needed} or newer`
        : `kindest/node:${tag} was built for kind v${needed}, newer than this kind ${installed}`,
    fix: `install kind v${needed} or newer (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or pass --k8s-version / --node-image with an image this kind published`,
  }
}

/**
 * argv with the values of --set-like flags replaced, for anything shown or logged: Helm's
 * --set values can hold API keys.
 */
export function redactArgs(args: readonly string[]): string[] {
  const secretFlags = /^--(set|set-string|set-json|set-literal|password|token)$/
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const inline = /^(--(?:set|set-string|set-json|set-literal|password|token))=/.exec(arg)
    if (inline) {
      out.push(`${inline[1]}=${REDACTED}`)
    } else if (secretFlags.test(arg) && i + 1 < args.length) {
      out.push(arg, REDACTED)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}

export const REDACTED = '***'

/** text with every secret replaced (longest first, so one secret inside another goes too). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return [...new Set(secrets)]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .reduce((masked, secret) => masked.replaceAll(secret, REDACTED), text)
}

function explainPull(image: string, output: string): Explanation {
  const name = image.replace(/@sha256:[0-9a-f]+$/, '')
  const fromFile = `load ${name} from a saved file (\`docker load -i node.tar\`; see "Offline" in the README)`
  if (/toomanyrequests|pull rate limit/i.test(output)) {
    return {
      id: 'kind-image-rate-limited',
      cause: `Docker Hub refused to pull ${name}: pull rate limit reached`,
      fix: `\`docker login\` (higher limit), wait, or ${fromFile}`,
    }
  }
  if (/manifest unknown|not found: manifest|no such manifest/i.test(output)) {
    return {
      id: 'kind-image-missing',
      cause: `the node image ${name} does not exist in its registry`,
      fix: 'check --k8s-version (kind publishes node images per release) or the --node-image you passed',
    }
  }
  if (
    /pull access denied|unauthorized|authentication required|requested access to the resource is denied/i.test(
      output,
    )
  ) {
    return {
      id: 'kind-image-denied',
      cause: `the registry refused to let Docker pull ${name}`,
      fix: `\`docker login\` to that registry, or ${fromFile}`,
    }
  }
  if (NO_NETWORK.test(output)) {
    return {
      id: 'kind-image-offline',
      cause: `the node image ${name} could not be pulled: Docker reaches no registry (network, DNS or proxy)`,
      fix: `${fromFile}, pass --node-image with an image you have (\`docker image ls kindest/node\`), or fix Docker's DNS/proxy settings`,
    }
  }
  return {
    cause: `the node image ${name} could not be pulled`,
    fix: `try \`docker pull ${name}\` to see why, or ${fromFile}`,
  }
}

/** "api.replicaCount: got string, want integer" from Helm 4's "at '/api/replicaCount': …". */
function schemaViolation(line: string): string {
  const helm4 = /^at '([^']*)': (.*)$/.exec(line)
  if (helm4) {
    const path = helm4[1]!.split('/').filter(Boolean).join('.')
    return path ? `${path}: ${helm4[2]}` : helm4[2]!
  }
  return line.replace(/^\(root\): /, '')
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1]
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1)
  }
  return undefined
}

function nameArg(args: readonly string[]): string | undefined {
  return flagValue(args, '--name') ?? flagValue(args, '-n')
}
