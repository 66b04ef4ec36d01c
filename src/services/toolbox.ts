import {Compose} from '../adapters/compose.js'
import {Docker} from '../adapters/docker.js'
import {createExec, type Exec, type ExecSettings} from '../adapters/exec.js'
import {Helm} from '../adapters/helm.js'
import {hostPorts, type HostPorts} from '../adapters/host-ports.js'
import {Kind} from '../adapters/kind.js'
import {Kubectl} from '../adapters/kubectl.js'
import {Kubeconfig} from '../adapters/kubeconfig.js'
import {Minikube} from '../adapters/minikube.js'
import {Podman} from '../adapters/podman.js'
import {Postgres, type PgConnection, type PostgresOptions} from '../adapters/postgres.js'
import {stateStore, type StateStore} from '../adapters/state-root.js'
import {detachedSupervisors, type SupervisorLauncher} from '../adapters/supervisor-process.js'

/** The adapters a cluster service drives; tests build one over a recording exec. */
export interface Toolbox {
  /** What every adapter here runs its tool through (doctor's probes use it directly). */
  exec: Exec
  providers: {kind: Kind; minikube: Minikube}
  helm: Helm
  kubectl: Kubectl
  /** The user's kubeconfig, read (and restored) through kubectl config. */
  kubeconfig: Kubeconfig
  docker: Docker
  /** Doctor's second choice of engine. */
  podman: Podman
  compose: Compose
  /** The host's ports: what is bound, by whom, and the next free one. */
  hostPorts: HostPorts
  /** A connection to a PostgreSQL the user pointed at (bridge mode's Compose database). */
  postgres: (connection: PgConnection, options?: PostgresOptions) => Postgres
  /** geniro-dev's state dirs, and the processes their records name. */
  state: StateStore
  /** Starts the detached forward supervisor. */
  supervisors: SupervisorLauncher
}

/** The adapters over one Exec; `settings.debug` (--debug) prints each tool's command line. */
export function defaultToolbox(settings: ExecSettings = {}, exec = createExec(settings)): Toolbox {
  const docker = new Docker(exec)
  const kubeconfig = new Kubeconfig(exec)
  return {
    exec,
    providers: {kind: new Kind(exec, 'kind', docker, {kubeconfig}), minikube: new Minikube(exec)},
    helm: new Helm(exec),
    kubectl: new Kubectl(exec),
    kubeconfig,
    docker,
    podman: new Podman(exec),
    compose: new Compose(exec),
    hostPorts,
    postgres: (connection, options) => new Postgres(connection, options),
    state: stateStore(),
    supervisors: detachedSupervisors,
  }
}
