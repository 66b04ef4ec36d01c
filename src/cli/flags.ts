import {Flags} from '@oclif/core'
import {parseDuration} from '../core/duration.js'
import {DEFAULT_KUBERNETES_VERSION, parseTargetKubernetes} from '../core/kubernetes.js'
import type {Version} from '../core/version.js'
import type {TargetInput} from '../services/cluster-target.js'

/**
 * Flags shared by the cluster commands. Each falls back to a GENIRO_DEV_* variable,
 * so a shell or CI job can set them once.
 */
export const providerFlag = Flags.option({
  options: ['kind', 'minikube'] as const,
  env: 'GENIRO_DEV_PROVIDER',
  helpGroup: 'CLUSTER',
  description: 'Local cluster provider.',
})()

export const clusterFlags = {
  provider: providerFlag,
  cluster: Flags.string({
    env: 'GENIRO_DEV_CLUSTER',
    default: 'geniro-dev',
    helpGroup: 'CLUSTER',
    description: 'Name of the local cluster (kind cluster or minikube profile).',
  }),
  namespace: Flags.string({
    char: 'n',
    env: 'GENIRO_DEV_NAMESPACE',
    default: 'geniro',
    helpGroup: 'CLUSTER',
    description: 'Namespace of the release.',
  }),
  release: Flags.string({
    env: 'GENIRO_DEV_RELEASE',
    default: 'geniro',
    helpGroup: 'CLUSTER',
    description: 'Helm release name.',
  }),
  'kube-context': Flags.string({
    env: 'GENIRO_DEV_KUBE_CONTEXT',
    helpGroup: 'CLUSTER',
    description:
      "Kube context; defaults to the managed cluster's own (kind-<cluster> or <cluster>).",
  }),
}

// Flags whose values oclif parses (durations, versions): a bad value fails as the flag is read,
// with our own one-line error (oclif's wrapper around it is taken off in base-command.ts).
// oclif does not parse a default, so each default is given parsed, and as text for --help.

/** A duration (90s, 10m, 1h30m) in seconds, with a default. */
export function durationFlag(options: {default: string; description: string; helpGroup?: string}) {
  return Flags.custom<number>({
    parse: async (text, _context, flag) => parseDuration(text, `--${flag.name}`),
  })({
    default: parseDuration(options.default),
    defaultHelp: async () => options.default,
    description: options.description,
    ...(options.helpGroup ? {helpGroup: options.helpGroup} : {}),
  })
}

/** A duration (90s, 10m, 1h30m) in seconds, absent unless given. */
export function optionalDurationFlag(options: {description: string}) {
  return Flags.custom<number>({
    parse: async (text, _context, flag) => parseDuration(text, `--${flag.name}`),
  })({description: options.description})
}

export const k8sVersionFlag = Flags.custom<Version>({
  parse: async (text) => parseTargetKubernetes(text),
})({
  env: 'GENIRO_DEV_K8S_VERSION',
  default: parseTargetKubernetes(DEFAULT_KUBERNETES_VERSION),
  defaultHelp: async () => DEFAULT_KUBERNETES_VERSION,
  description: 'Kubernetes version of the local cluster (1.27 or newer).',
})

/** The kind node image of `up` and `bridge`, which `doctor` checks too. */
export const nodeImageFlag = Flags.string({
  env: 'GENIRO_DEV_NODE_IMAGE',
  helpGroup: 'CLUSTER',
  description:
    'kind node image to create the cluster with (default: the pinned kindest/node for --k8s-version).',
})

export const allowRemoteContextFlag = Flags.boolean({
  default: false,
  helpGroup: 'CLUSTER',
  description: 'Allow a --kube-context that is not the local cluster geniro-dev manages.',
})

export const installFlags = {
  values: Flags.string({
    char: 'f',
    multiple: true,
    helpGroup: 'INSTALL',
    description:
      'Values file layered over the isolated defaults (repeatable; later wins), as in Helm.',
  }),
  set: Flags.string({
    multiple: true,
    helpGroup: 'INSTALL',
    description: 'Set a value, as in Helm (key.path=value; repeatable; applied last).',
  }),
}

export const dryRunFlag = Flags.boolean({
  default: false,
  description: 'Print the plan, each step with the exact command it would run, and change nothing.',
})

/**
 * The flags of a command that rolls the release out: how long to wait, the context guard and
 * the plan-only run.
 */
export const rolloutFlags = {
  timeout: durationFlag({
    default: '10m',
    description: 'How long to wait for the rollout (e.g. 90s, 10m).',
  }),
  ...clusterFlags,
  'allow-remote-context': allowRemoteContextFlag,
  'dry-run': dryRunFlag,
}

export const yesFlag = Flags.boolean({
  default: false,
  char: 'y',
  description: 'Answer yes to confirmations (deleting or re-creating a cluster).',
})

/** The cluster flags as the services' TargetInput. */
export function targetInput(flags: {
  provider?: 'kind' | 'minikube'
  cluster: string
  namespace: string
  release: string
  'kube-context'?: string
  'allow-remote-context': boolean
}): TargetInput {
  return {
    provider: flags.provider,
    cluster: flags.cluster,
    namespace: flags.namespace,
    release: flags.release,
    kubeContext: flags['kube-context'],
    allowRemoteContext: flags['allow-remote-context'],
  }
}
