import {Compose} from '../adapters/compose.js'
import {Docker} from '../adapters/docker.js'
import {exec as defaultExec, type Exec} from '../adapters/exec.js'
import {Helm} from '../adapters/helm.js'
import {Kind} from '../adapters/kind.js'
import {Kubectl} from '../adapters/kubectl.js'
import {Kubeconfig} from '../adapters/kubeconfig.js'
import {Minikube} from '../adapters/minikube.js'

/** The adapters a cluster service drives; tests build one over a recording exec. */
export interface Toolbox {
  providers: {kind: Kind; minikube: Minikube}
  helm: Helm
  kubectl: Kubectl
  /** The user's kubeconfig, read (and restored) through kubectl config. */
  kubeconfig: Kubeconfig
  docker: Docker
  compose: Compose
}

export function defaultToolbox(exec: Exec = defaultExec): Toolbox {
  const docker = new Docker(exec)
  const kubeconfig = new Kubeconfig(exec)
  return {
    providers: {kind: new Kind(exec, 'kind', docker, {kubeconfig}), minikube: new Minikube(exec)},
    helm: new Helm(exec),
    kubectl: new Kubectl(exec),
    kubeconfig,
    docker,
    compose: new Compose(exec),
  }
}
