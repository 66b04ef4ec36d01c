import {validateReleaseName} from './cluster.js'
import {UsageError} from './errors.js'

/** A directory name holds at most 255 bytes on the file systems a state dir lives on. */
const MAX_KEY_LENGTH = 255

/**
 * A kube context as part of a state directory name. Contexts may hold `/` and `:` (EKS
 * ARNs, `user@cluster`), which forwardKey maps away; what could never name a context and
 * could name a path is refused: empty, absolute, a `.` or `..` segment, control characters.
 */
export function validateKubeContext(name: string): string {
  const segments = name.split(/[/\\]/)
  const refused =
    name.trim() === '' ||
    /^[/\\]/.test(name) ||
    /^[A-Za-z]:[/\\]/.test(name) ||
    segments.some((segment) => segment === '.' || segment === '..') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(name)
  if (refused) {
    throw new UsageError(
      `invalid kube context ${JSON.stringify(name)}`,
      'pass a context name from `kubectl config get-contexts`',
    )
  }
  return name
}

/** The release whose state dir keeps the name it had before releases had their own. */
const DEFAULT_RELEASE = 'geniro'

/**
 * A directory name for a context, namespace and Helm release (contexts may hold `/` or `:`):
 * a single path segment, never `.` or `..`, given a validated namespace (it always holds `@`).
 * The default release `geniro` keeps the name `<context>@<namespace>` of the versions before
 * releases had their own directory, so a supervisor one of them started is still found; any
 * other release gets `<context>@<namespace>@<release>` (a release is a DNS-1123 subdomain:
 * no `/` or `@`, so no two targets share a name).
 */
export function forwardKey(kubeContext: string, namespace: string, release: string): string {
  validateReleaseName(release)
  const base = `${contextKeyPart(kubeContext)}@${namespace}`
  const key = release === DEFAULT_RELEASE ? base : `${base}@${release}`
  if (key.length > MAX_KEY_LENGTH) {
    throw new UsageError(
      `kube context "${kubeContext}" is too long`,
      `a context and namespace name the forwards' state directory: together at most ${MAX_KEY_LENGTH - (key.length - base.length) - 1} characters (with release "${release}")`,
    )
  }
  return key
}

/** A kube context as the first part of its state directories' names. */
function contextKeyPart(kubeContext: string): string {
  return validateKubeContext(kubeContext).replaceAll(/[^\w.-]/g, '_')
}

/**
 * The namespace and release a state directory name holds, when it is one of `kubeContext`'s
 * (the inverse of forwardKey for that context); undefined for any other name.
 */
export function parseForwardKey(
  key: string,
  kubeContext: string,
): {namespace: string; release: string} | undefined {
  const [context, namespace, release, ...rest] = key.split('@')
  if (context !== contextKeyPart(kubeContext) || !namespace || rest.length > 0) return undefined
  if (release === '') return undefined
  return {namespace, release: release ?? DEFAULT_RELEASE}
}
