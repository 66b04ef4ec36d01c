/** The external tools geniro-dev drives, and how a user gets each one. */
export const TOOL_INSTALL_HINTS: Readonly<Record<string, string>> = {
  docker:
    'install Docker Engine (Linux) or Docker Desktop: https://docs.docker.com/get-docker/ — or use Podman',
  podman: 'install Podman: https://podman.io/docs/installation',
  'docker-compose':
    'install the Compose v2 plugin (`docker compose`): https://docs.docker.com/compose/install/',
  kind: 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  minikube: 'install minikube: https://minikube.sigs.k8s.io/docs/start/',
  helm: 'install Helm 4 (or 3.14+): https://helm.sh/docs/intro/install/',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
  psql: 'install the PostgreSQL client (e.g. `apt-get install postgresql-client`)',
}

export function installHint(tool: string): string {
  return TOOL_INSTALL_HINTS[tool] ?? `install \`${tool}\` and make sure it is on PATH`
}
