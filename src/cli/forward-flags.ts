import {Flags} from '@oclif/core'
import {FORWARD_NAMES} from '../core/forward-plan.js'

/** Flags of `forward`, also taken by `up` and `bridge` for the forwards they start. */
export const forwardFlags = {
  only: Flags.string({
    helpGroup: 'FORWARD',
    delimiter: ',',
    multiple: true,
    description: `Forward only these components (comma-separated: ${FORWARD_NAMES.join(', ')}).`,
  }),
  port: Flags.string({
    helpGroup: 'FORWARD',
    multiple: true,
    description:
      'Local port for a component, NAME=PORT (repeatable); the config file can set them too.',
  }),
  'next-free': Flags.boolean({
    default: false,
    helpGroup: 'FORWARD',
    description:
      'When a local port is taken, use the next free one above it (kept for this cluster).',
  }),
}

/** The forward options from the flags, over the ports of the config file. */
export async function forwardOptions(
  flags: {only?: string[]; port?: string[]; 'next-free': boolean},
  timeoutSeconds: number,
) {
  const [{configuredPorts}, {parsePortOverrides}] = await Promise.all([
    import('../adapters/user-config.js'),
    import('../core/forward-plan.js'),
  ])
  return {
    only: (flags.only ?? []).map((name) => name.trim()).filter(Boolean),
    overrides: {...(await configuredPorts()), ...parsePortOverrides(flags.port ?? [])},
    nextFree: flags['next-free'],
    timeoutSeconds,
  }
}
