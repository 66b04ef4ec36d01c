import {Flags} from '@oclif/core'
import {FORWARD_NAMES, parsePortOverrides} from '../core/forward-plan.js'

/** One `--port NAME=PORT`. */
interface PortOverride {
  name: string
  port: number
}

/** Flags of `forward`, also taken by `up` and `bridge` for the forwards they start. */
export const forwardFlags = {
  only: Flags.string({
    helpGroup: 'FORWARD',
    delimiter: ',',
    multiple: true,
    description: `Forward only these components (comma-separated: ${FORWARD_NAMES.join(', ')}).`,
  }),
  // Parsed as it is read: a bad NAME=PORT fails before anything runs.
  port: Flags.custom<PortOverride>({
    parse: async (entry) => {
      const [[name, port]] = Object.entries(parsePortOverrides([entry])) as [[string, number]]
      return {name, port}
    },
    multiple: true,
  })({
    helpGroup: 'FORWARD',
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
  flags: {only?: string[]; port?: PortOverride[]; 'next-free': boolean},
  timeoutSeconds: number,
) {
  const {configuredPorts} = await import('../adapters/user-config.js')
  return {
    only: (flags.only ?? []).map((name) => name.trim()).filter(Boolean),
    overrides: {
      ...(await configuredPorts()),
      ...Object.fromEntries((flags.port ?? []).map((p) => [p.name, p.port])),
    },
    nextFree: flags['next-free'],
    timeoutSeconds,
  }
}
