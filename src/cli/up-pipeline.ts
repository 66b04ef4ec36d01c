import {Flags, type Interfaces} from '@oclif/core'
import {BaseCommand} from './base-command.js'
import {bridgeFlags, bridgeInput} from './bridge-flags.js'
import {
  allowRemoteContextFlag,
  clusterFlags,
  dryRunFlag,
  installFlags,
  durationFlag,
  k8sVersionFlag,
  nodeImageFlag,
  targetInput,
  yesFlag,
} from './flags.js'
import {forwardFlags, forwardOptions} from './forward-flags.js'
import {orPlan} from './render-plan.js'
import {renderUpResult} from './render-up.js'
import {UsageError} from '../core/errors.js'
import type {ImageAssignment} from '../services/image.js'
import {up, type UpResult} from '../services/up.js'

/** The flags of `up` and `bridge` (`up` adds --mode). */
export const upFlags = {
  ...bridgeFlags,
  ...clusterFlags,
  'allow-remote-context': allowRemoteContextFlag,
  'k8s-version': k8sVersionFlag,
  'node-image': nodeImageFlag,
  ...installFlags,
  timeout: durationFlag({
    default: '10m',
    helpGroup: 'INSTALL',
    description: 'How long to wait for the release to be ready (e.g. 90s, 10m).',
  }),
  'force-upgrade': Flags.boolean({
    default: false,
    helpGroup: 'INSTALL',
    description: 'Run the Helm upgrade even when nothing changed.',
  }),
  recreate: Flags.boolean({
    default: false,
    description: 'Delete and re-create the cluster first (asks, or --yes).',
  }),
  forward: Flags.boolean({
    default: true,
    allowNo: true,
    helpGroup: 'FORWARD',
    description:
      'Start the port-forwards at the end (--no-forward skips them; `geniro-dev forward` starts them later).',
  }),
  ...forwardFlags,
  yes: yesFlag,
  'dry-run': dryRunFlag,
}

export type UpFlags = Interfaces.InferredFlags<typeof upFlags>

/** `up` and `bridge`: the same pipeline, isolated or bridged to the Compose PostgreSQL. */
export abstract class UpPipelineCommand extends BaseCommand {
  protected async runUp(
    bridge: boolean,
    argv: unknown[],
    flags: UpFlags,
    images: ImageAssignment[] = [],
  ): Promise<UpResult> {
    if (!bridge) refuseBridgeOnlyInput(argv, flags)
    const result = await up(
      {
        ...targetInput(flags),
        kubernetesVersion: flags['k8s-version'],
        nodeImage: flags['node-image'],
        valuesFiles: flags.values ?? [],
        sets: flags.set ?? [],
        timeoutSeconds: flags.timeout,
        recreate: flags.recreate,
        forceUpgrade: flags['force-upgrade'],
        dryRun: flags['dry-run'],
        forward: flags.forward ? await forwardOptions(flags, 60) : undefined,
        bridge: bridge
          ? {...(await bridgeInput(argv, flags)), signal: this.abort.signal}
          : undefined,
        images,
      },
      await this.serviceContext(flags.yes),
    )
    return this.outputResult(result, orPlan(renderUpResult))
  }
}

/** Compose and bridge flags mean nothing in isolated mode: say so instead of ignoring them. */
export function refuseBridgeOnlyInput(argv: unknown[], flags: Record<string, unknown>): void {
  // --host-address and the probe images may come from the environment: those are not refused.
  const given = Object.keys(bridgeFlags).filter(
    (name) =>
      !['host-address', 'probe-image', 'probe-pod-image'].includes(name) &&
      flags[name] !== undefined &&
      flags[name] !== false,
  )
  if (argv.length > 0 || given.length > 0) {
    throw new UsageError(
      `${argv.length > 0 ? `Compose files (${argv.join(' ')})` : `--${given[0]}`} only apply to bridge mode`,
      'use `geniro-dev bridge` or `up --mode bridge`',
    )
  }
}
