import {composeFileArgs} from '../cli/compose-flags.js'
import {UpPipelineCommand, upFlags} from '../cli/up-pipeline.js'
import type {UpResult} from '../services/up.js'

export default class Bridge extends UpPipelineCommand {
  static override summary =
    "Like `up`, but the cluster uses your Docker Compose stack's PostgreSQL, with databases of its own."

  static override description = `Finds the Compose PostgreSQL (the running project first, its files otherwise: compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml and COMPOSE_FILE, or the files you give), then runs the same pipeline as \`up\`: ensure the cluster, install, forwards. The chart gets postgresql.enabled=false and externalPostgresql pointing at the address pods reach the host at, on the port Compose publishes (e.g. 5439, not 5432).

Nothing is shared: geniro-dev creates a login role and databases of the cluster's own (geniro_k8s, keycloak_k8s, litellm_k8s; with vector in geniro_k8s) and refuses any name the Compose stack uses. The role's password lives only in the Secret geniro-dev-bridge-postgresql (referenced through existingSecret), never in a values file.

Before installing it proves, from a throwaway container on the cluster's Docker network, that pods can reach the server. When they cannot because Docker's userland proxy is off, it offers (or with --attach does) \`docker network connect\` of the Compose container; \`geniro-dev down\` undoes that.`

  static override examples = [
    '<%= config.bin %> bridge --compose',
    '<%= config.bin %> bridge ../geniro/docker-compose.yml',
    '<%= config.bin %> bridge -p geniro --compose-service db --db-suffix _dev',
    '<%= config.bin %> bridge --compose --host-address 172.18.0.1 --dry-run',
    '<%= config.bin %> bridge --compose --attach --yes',
    '<%= config.bin %> bridge --compose --profile db',
  ]

  static override strict = false
  static override args = composeFileArgs
  static override flags = upFlags

  async run(): Promise<UpResult> {
    const {argv, flags} = await this.parse(Bridge)
    return this.runUp(true, argv, flags)
  }
}
