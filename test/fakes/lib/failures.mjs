// Failures the fakes can replay, in the real tools' words (see "Replayed failures" in
// test/fakes/README.md). Each is a function of the call: it returns the exit code and what
// the real tool prints on stdout and stderr. Where a text was captured from the real tool
// here, that is said; the others are assembled from the sources each comment names.
import {existsSync} from 'node:fs'
import {err, out, readJson, statePath, withLock, writeJson} from './common.mjs'

/** kind v0.27.0 cmd/kind/app/main.go: "ERROR: " + the error, then a blank line and the command's output. */
function kindError(message, commandOutput) {
  return commandOutput === undefined
    ? `ERROR: ${message}\n`
    : `ERROR: ${message}\n\nCommand Output: ${commandOutput}\n`
}

/** kind's status lines (pkg/internal/cli/status.go, non-TTY form), as the kind fake prints them. */
function kindSteps(name, image, steps, failed) {
  const lines = [`Creating cluster "${name}" ...`]
  for (const [i, step] of steps.entries()) {
    lines.push(` • ${step}  ...`)
    lines.push(i === steps.length - 1 && failed ? ` ✗ ${step}` : ` ✓ ${step}`)
  }
  return `${lines.join('\n')}\n`
}

const ENSURE = (image) => `Ensuring node image (${image.replace(/@sha256:.*$/, '')}) 🖼`
const PREPARE = 'Preparing nodes 📦 '
const WRITE = 'Writing configuration 📜'
const START = 'Starting control-plane 🕹️'

/** `docker run` of a kind control-plane node as kind v0.27.0 runs it (captured here). */
function kindDockerRun(name, image, port) {
  return `docker run --name ${name}-control-plane --hostname ${name}-control-plane --label io.x-k8s.kind.role=control-plane --privileged --security-opt seccomp=unconfined --security-opt apparmor=unconfined --tmpfs /tmp --tmpfs /run --volume /var --volume /lib/modules:/lib/modules:ro -e KIND_EXPERIMENTAL_CONTAINERD_SNAPSHOTTER --detach --tty --label io.x-k8s.kind.cluster=${name} --net kind --restart=on-failure:1 --init=false --cgroupns=private --publish=127.0.0.1:${port}:6443/TCP -e KUBECONFIG=/etc/kubernetes/admin.conf ${image}`
}

function kindPull(call, commandOutput) {
  const {name, image} = kindCreate(call)
  return {
    code: 1,
    stderr:
      kindSteps(name, image, [ENSURE(image)], true) +
      kindError(
        `failed to create cluster: failed to pull image "${image}": command "docker pull ${image}" failed with error: exit status 1`,
        commandOutput,
      ),
  }
}

function kindRunFailure(call, dockerSaid) {
  const {name, image} = kindCreate(call)
  return {
    code: 1,
    stderr:
      kindSteps(name, image, [ENSURE(image), PREPARE], true) +
      `Deleted nodes: ["${name}-control-plane"]\n` +
      kindError(
        `failed to create cluster: command "${kindDockerRun(name, image, 6443)}" failed with error: exit status 125`,
        `${'0'.repeat(12)}f3c2a1\ndocker: Error response from daemon: ${dockerSaid}\n\nRun 'docker run --help' for more information`,
      ),
  }
}

function kindKubeadm(call, kubeadmSaid) {
  const {name, image} = kindCreate(call)
  return {
    code: 1,
    stderr:
      kindSteps(name, image, [ENSURE(image), PREPARE, WRITE, START], true) +
      `Deleted nodes: ["${name}-control-plane"]\n` +
      kindError(
        `failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged ${name}-control-plane kubeadm init --config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1`,
        kubeadmSaid,
      ),
  }
}

function kindCreate(call) {
  return {
    name: call.flag('name') || 'kind',
    image:
      call.flag('image') ||
      'kindest/node:v1.32.2@sha256:f226345927d7e348497136874b6d207e0b32cc52154ad8323129352923a3142f',
  }
}

/** dockerd's pull error with no route to Docker Hub (captured here from a real engine). */
const DAEMON_OFFLINE =
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: dial udp 10.255.255.53:53: connect: network is unreachable'

/** minikube's non-TTY exit line (pkg/minikube/exit/exit.go, style.LowError "X "). */
function minikubeExit(code, id, message) {
  return {
    code,
    stdout: '* [geniro-dev] minikube v1.37.0 on Debian 12.12\n',
    stderr: `X Exiting due to ${id}: ${message}\n`,
  }
}

export const FAILURES = {
  // kind v0.27.0 `create cluster` against an engine without a registry: captured here verbatim
  // (only the cluster name and image vary).
  'kind-image-offline': (call) => kindPull(call, DAEMON_OFFLINE),
  // dockerd's distribution error for a tag the registry does not have.
  'kind-image-missing': (call) =>
    kindPull(
      call,
      `Error response from daemon: manifest for ${kindCreate(call).image} not found: manifest unknown: manifest unknown`,
    ),
  // dockerd's "pull access denied … may require 'docker login'".
  'kind-image-denied': (call) =>
    kindPull(
      call,
      `Error response from daemon: pull access denied for kindest/node, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    ),
  // Docker Hub's rate-limit answer, as dockerd passes it on.
  'kind-image-rate-limited': (call) =>
    kindPull(
      call,
      'Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
    ),
  // A pull that runs out of disk while extracting (ENOSPC in dockerd's words).
  'docker-disk-full': (call) =>
    kindPull(
      call,
      'Error response from daemon: failed to register layer: write /usr/local/bin/kubelet: no space left on device',
    ),
  // Captured here: the userland proxy cannot listen because another process holds the port.
  'kind-port-in-use': (call) =>
    kindRunFailure(
      call,
      `driver failed programming external connectivity on endpoint ${kindCreate(call).name}-control-plane (3a1f9c0d7e2b): Error starting userland proxy: listen tcp4 127.0.0.1:6443: bind: address already in use`,
    ),
  // Captured here: another container already publishes the port.
  'kind-port-allocated': (call) =>
    kindRunFailure(
      call,
      `driver failed programming external connectivity on endpoint ${kindCreate(call).name}-control-plane (3a1f9c0d7e2b): Bind for 127.0.0.1:6443 failed: port is already allocated`,
    ),
  // kind docs, known issues, "Older Linux Distributions".
  'kind-cgroups': (call) =>
    kindRunFailure(
      call,
      'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error adding pid 655569 to cgroups: failed to write 655569: open /sys/fs/cgroup/unified/docker/cgroup.procs: no such file or directory: unknown',
    ),
  // kind provider.go ensureNetwork + network.go createNetwork, libnetwork IPAM exhausted.
  'kind-network-pools': (call) => {
    const {name, image} = kindCreate(call)
    return {
      code: 1,
      stderr:
        kindSteps(name, image, [ENSURE(image)], false) +
        kindError(
          'failed to create cluster: failed to ensure docker network: command "docker network create -d=bridge -o com.docker.network.bridge.enable_ip_masquerade=true -o com.docker.network.driver.mtu=1500 --ipv6 --subnet fc00:f853:ccd:e793::/64 kind" failed with error: exit status 1',
          'Error response from daemon: could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
        ),
    }
  },
  // kind common/cgroups.go: the node's systemd never reached its target.
  'kind-node-boot': (call) => {
    const {name, image} = kindCreate(call)
    return {
      code: 1,
      stderr:
        kindSteps(name, image, [ENSURE(image), PREPARE], true) +
        `Deleted nodes: ["${name}-control-plane"]\n` +
        kindError(
          'failed to create cluster: could not find a log line that matches "Reached target .*Multi-User System.*|detected cgroup v1"',
        ),
    }
  },
  // kubeadm init failing inside the node (kubeadm's own log lines after kind's error).
  'kind-node-setup': (call) =>
    kindKubeadm(
      call,
      [
        'I0322 00:07:48.899609    1125 initconfiguration.go:261] loading configuration from "/kind/kubeadm.conf"',
        '[kubelet-check] The kubelet is not healthy after 4m0.000595134s',
        'error execution phase wait-control-plane: could not initialize a Kubernetes cluster',
      ].join('\n'),
    ),
  // kubelet's fsnotify watcher when the host's inotify instances are used up.
  'kind-inotify': (call) =>
    kindKubeadm(
      call,
      [
        'I0322 00:07:48.899609    1125 initconfiguration.go:261] loading configuration from "/kind/kubeadm.conf"',
        'E0322 00:08:02.113406    1180 run.go:72] "command failed" err="failed to create fsnotify watcher: too many open files"',
      ].join('\n'),
    ),
  // kind create.go: the cluster's nodes already exist.
  'kind-cluster-exists': (call) => ({
    code: 1,
    stderr: kindError(
      `failed to create cluster: node(s) already exist for a cluster with the name "${kindCreate(call).name}"`,
    ),
  }),
  // kind's `get clusters` (ListClusters' docker ps) when the socket refuses this user: the
  // docker CLI 27/28 client's request.go text.
  'docker-permission-denied': () => ({
    code: 1,
    stderr: kindError(
      `failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'" failed with error: exit status 1`,
      'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/containers/json?all=1&filters=%7B%22label%22%3A%7B%22io.x-k8s.kind.cluster%22%3Atrue%7D%7D": dial unix /var/run/docker.sock: connect: permission denied',
    ),
  }),
  // minikube v1.37.0 cmd/minikube/cmd/start.go messages and pkg/minikube/reason exit codes.
  'minikube-driver-missing': () =>
    minikubeExit(
      55,
      'DRV_NOT_DETECTED',
      'No possible driver was detected. Try specifying --driver, or see https://minikube.sigs.k8s.io/docs/start/',
    ),
  'minikube-driver-not-running': () =>
    minikubeExit(
      63,
      'PROVIDER_DOCKER_NOT_RUNNING',
      '"docker version --format -:" exit status 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    ),
  'minikube-cpus': () =>
    minikubeExit(
      29,
      'RSRC_INSUFFICIENT_CORES',
      'Requested cpu count 4 is greater than the available cpus of 2',
    ),
  'minikube-memory': () =>
    minikubeExit(
      10,
      'RSRC_OVER_ALLOC_MEM',
      'Requested memory allocation 8192MB is more than your system limit 3913MB.',
    ),
  'minikube-kubernetes-version': (call) =>
    minikubeExit(
      106,
      'K8S_OLD_UNSUPPORTED',
      `Kubernetes ${(call.flag('kubernetes-version') || 'v1.27.0').replace(/^v/, '')} is not supported by this release of minikube`,
    ),
  // Helm 4 pkg/kube/client.go and pkg/action/action.go, with pkg/cmd/upgrade.go's prefix.
  'helm-cluster-unreachable': () => ({
    code: 1,
    stderr:
      'Error: kubernetes cluster unreachable: Get "https://127.0.0.1:39415/version": dial tcp 127.0.0.1:39415: connect: connection refused\n',
  }),
  'helm-release-pending': () => ({
    code: 1,
    stderr: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n',
  }),
}

/**
 * Replays a failure when $GENIRO_FAKE_STATE/replay.json names one for this call, then exits:
 * `[{"tool": "kind", "words": ["create", "cluster"], "failure": "kind-image-offline",
 * "times": 1}]`. `words` must all appear in argv, in order; `times` (default: every call)
 * counts down and the entry goes at 0.
 */
export function replayFailure(tool, argv) {
  const file = statePath('replay.json')
  if (!existsSync(file)) return
  const entry = withLock('replay', () => {
    const entries = readJson(file, [])
    const index = entries.findIndex((e) => e.tool === tool && inOrder(e.words ?? [], argv))
    if (index < 0) return undefined
    const found = entries[index]
    if (found.times !== undefined) {
      if (found.times <= 1) entries.splice(index, 1)
      else entries[index] = {...found, times: found.times - 1}
      writeJson(file, entries)
    }
    return found
  })
  if (!entry) return
  const replay = FAILURES[entry.failure]
  if (!replay) {
    err(`geniro-dev fake: no replayable failure named ${entry.failure}\n`)
    process.exit(2)
  }
  const result = replay({argv, flag: (name) => flagValue(argv, name)})
  out(result.stdout)
  err(result.stderr)
  process.exit(result.code)
}

function inOrder(words, argv) {
  let at = 0
  for (const arg of argv) if (arg === words[at]) at++
  return at === words.length
}

function flagValue(argv, name) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1]
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3)
  }
  return undefined
}
