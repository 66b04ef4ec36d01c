import {Compose} from '../adapters/compose.js'
import {Docker} from '../adapters/docker.js'
import {exec as defaultExec, type Exec} from '../adapters/exec.js'
import {Helm} from '../adapters/helm.js'
import {Kind} from '../adapters/kind.js'
import {Kubectl} from '../adapters/kubectl.js'
import {Minikube} from '../adapters/minikube.js'

/** The adapters a cluster service drives; tests build one over a recording exec. */
export interface Toolbox {
  providers: {kind: Kind; minikube: Minikube}
  helm: Helm
  kubectl: Kubectl
  docker: Docker
  compose: Compose
}

export function defaultToolbox(exec: Exec = defaultExec): Toolbox {
  const docker = new Docker(exec)
  return {
    providers: {kind: new Kind(exec, 'kind', docker), minikube: new Minikube(exec)},
    helm: new Helm(exec),
    kubectl: new Kubectl(exec),
    docker,
    compose: new Compose(exec),
  }
}
