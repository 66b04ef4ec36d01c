// Bridge mode: the passwords the release needs, kept in Secrets of its own namespace.
import {randomBytes} from 'node:crypto'
import {
  BRIDGE_REDIS_SECRET,
  BRIDGE_SECRET,
  BRIDGE_SECRET_PASSWORD_KEY,
} from '../../core/bridge-values.js'
import type {Target} from '../cluster-target.js'
import type {Step} from '../steps.js'
import type {Toolbox} from '../toolbox.js'
import type {BridgeRedisSource} from './plan.js'

/** The Compose Redis's password, and whether the release's Secret already holds exactly it. */
export async function bridgeRedisSecret(
  redis: BridgeRedisSource,
  target: Target,
  tools: Toolbox,
  signal: AbortSignal,
): Promise<{password: string; stored: boolean}> {
  const existing = await tools.kubectl.secretData(
    BRIDGE_REDIS_SECRET,
    target.namespace,
    target.kubeContext,
    signal,
  )
  return {
    password: redis.password,
    stored: existing?.[BRIDGE_SECRET_PASSWORD_KEY] === redis.password,
  }
}

/** The role's password: kept in the release's Secret, so a re-run reuses it. */
export async function bridgePassword(target: Target, tools: Toolbox, signal: AbortSignal) {
  const existing = await tools.kubectl.secretData(
    BRIDGE_SECRET,
    target.namespace,
    target.kubeContext,
    signal,
  )
  const kept = existing?.[BRIDGE_SECRET_PASSWORD_KEY]
  return kept
    ? {password: kept, stored: true}
    : {password: randomBytes(24).toString('base64url'), stored: false}
}

/** A Secret of geniro-dev's in the release namespace, applied through stdin (never an argv). */
export function secretStep(
  target: Target,
  tools: Toolbox,
  secret: {title: string; name: string; data: Record<string, string>; skip?: string},
): Step {
  return {
    title: secret.title,
    command: ['kubectl', ...tools.kubectl.applyArgs(target.kubeContext, target.namespace)],
    ...(secret.skip ? {skip: secret.skip} : {}),
    run: (signal) =>
      tools.kubectl.apply(
        secretObjects(target.namespace, secret.name, secret.data),
        target.kubeContext,
        target.namespace,
        signal,
      ),
  }
}

function secretObjects(
  namespace: string,
  name: string,
  stringData: Record<string, string>,
): unknown[] {
  const labels = {'app.kubernetes.io/managed-by': 'geniro-dev'}
  return [
    {apiVersion: 'v1', kind: 'Namespace', metadata: {name: namespace}},
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {name, namespace, labels},
      stringData,
    },
  ]
}
