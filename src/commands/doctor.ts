import {BaseCommand} from '../cli/base-command.js'
import {k8sVersionFlag, nodeImageFlag, providerFlag} from '../cli/flags.js'
import {renderDoctorReport} from '../cli/render-doctor.js'
import type {DoctorReport} from '../core/doctor.js'
import {EXIT_CODES} from '../core/exit-codes.js'
import {runDoctor} from '../services/doctor.js'

export default class Doctor extends BaseCommand {
  static override summary = 'Check that this machine can run geniro-dev (pass / warn / fail).'

  static override description = `Checks the container engine (Docker Engine, Docker Desktop or Podman), Compose v2, kind and minikube (kind against the node image \`up\` would use, minikube against the Kubernetes version), whether that node image is present locally or its registry answers, Helm 3 or 4, kubectl and its version skew against the target Kubernetes version, Node.js, and which offset forward ports are already taken and by what. Every warning and failure comes with a concrete fix.

Exits 1 when any check fails; warnings alone exit 0. With --json, prints one report object: {ok, summary: {pass, warn, fail}, checks: [{id, title, status, message, fix?, details?}]}.`

  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --provider minikube',
    '<%= config.bin %> doctor --k8s-version 1.31 --json',
  ]

  static override flags = {
    provider: providerFlag,
    'k8s-version': k8sVersionFlag,
    'node-image': nodeImageFlag,
  }

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor)
    const targetKubernetes = flags['k8s-version']
    this.outputInfo('Checking this machine…')
    const report = await runDoctor(
      {provider: flags.provider, targetKubernetes, nodeImage: flags['node-image']},
      await this.toolbox(),
    )
    if (!report.ok) process.exitCode = EXIT_CODES.checksFailed.code
    return this.outputResult(report, renderDoctorReport)
  }
}
