// A failed install or upgrade: the failing pods' events and last logs, shown and carried by the error.
import {GeniroError, TimeoutError, ToolFailedError} from '../core/errors.js'
import type {Target} from './cluster-target.js'
import type {ServiceContext} from './context.js'
import {collectDiagnostics, type PodDiagnosis} from './diagnostics.js'

/** Helm failed: show the failing pods' events and last logs, then fail with a hint. */
export async function installFailure(
  error: GeniroError,
  target: Target,
  ctx: Pick<ServiceContext, 'tools' | 'silent' | 'note'>,
): Promise<GeniroError> {
  const diagnoses = await collectDiagnostics(
    ctx.tools.kubectl,
    target.namespace,
    target.kubeContext,
  ).catch(() => [] as PodDiagnosis[])
  if (!ctx.silent) for (const line of formatDiagnoses(diagnoses)) ctx.note(line)
  return new InstallFailedError(error, diagnoses)
}

export class InstallFailedError extends ToolFailedError {
  constructor(
    cause: GeniroError,
    readonly diagnoses: PodDiagnosis[],
  ) {
    super(
      cause instanceof ToolFailedError || cause instanceof TimeoutError
        ? cause.command
        : 'helm upgrade --install',
      cause instanceof ToolFailedError ? cause.commandExitCode : undefined,
      cause instanceof ToolFailedError ? cause.outputLines : cause.message,
      diagnoses.length > 0
        ? `the pods above show why (${diagnoses.map((d) => `${d.pod}: ${d.reason}`).join('; ')}); fix it and re-run \`geniro-dev up\``
        : (cause.hint ??
            'check `kubectl get pods` in the release namespace, then re-run `geniro-dev up`'),
      cause instanceof ToolFailedError ? cause.details : undefined,
    )
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), pods: this.diagnoses}
  }
}

export function formatDiagnoses(diagnoses: PodDiagnosis[]): string[] {
  return diagnoses.flatMap((d) => [
    `Pod ${d.pod} (${d.component}) is not ready: ${d.reason}`,
    ...d.events.map((event) => `  event ${event.type} ${event.reason}: ${event.message}`),
    ...(d.logs ? ['  last logs:', ...d.logs.split('\n').map((line) => `    ${line}`)] : []),
  ])
}
