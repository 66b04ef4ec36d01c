// The pinned kindest/node images, kept apart from the kind config renderer: this file is
// loaded by every kind command, the renderer (and its YAML library) only by `up`.
import {UsageError} from './errors.js'
import type {Version} from './version.js'

/**
 * The kindest/node image a new cluster runs for each Kubernetes minor, when the user names
 * only the minor. Tags only, no `@sha256:` digests: nothing can be checked against the
 * registry offline, and a wrong digest would fail every create. Each tag is one the kind
 * project published with a release (v0.25 for 1.27/1.28, v0.27 for 1.29, v0.28/v0.29 for 1.30,
 * v0.30 for 1.31-1.34); kind warns when an image was built for a newer kind than the one
 * installed. `--k8s-version X.Y.Z` and a node image override bypass this table.
 */
export const KIND_NODE_IMAGES: Readonly<Record<string, string>> = {
  '1.34': 'kindest/node:v1.34.0',
  '1.33': 'kindest/node:v1.33.4',
  '1.32': 'kindest/node:v1.32.8',
  '1.31': 'kindest/node:v1.31.12',
  '1.30': 'kindest/node:v1.30.13',
  '1.29': 'kindest/node:v1.29.14',
  '1.28': 'kindest/node:v1.28.15',
  '1.27': 'kindest/node:v1.27.16',
}

/** "1.27, 1.28, …", oldest first. */
export function supportedKindMinors(): string[] {
  return Object.keys(KIND_NODE_IMAGES).sort((a, b) => minorOf(a) - minorOf(b))
}

/**
 * The node image for a cluster: the override if given; else `kindest/node:vX.Y.Z` for an
 * exact patch version; else the pinned image of the minor.
 *
 * A string keeps the difference between "1.33" (the pin) and "1.33.2" (exactly that).
 * A parsed `Version` does not ("1.33" parses to patch 0), so a `Version` with patch 0 is read
 * as "the minor": 1.33.0 gives the pinned v1.33.4, the newest patch kind published for it.
 */
export function kindNodeImage(kubernetesVersion: Version | string, override?: string): string {
  if (override !== undefined) return checkedNodeImage(override)
  const {major, minor, patch} = requestedVersion(kubernetesVersion)
  if (patch !== undefined) return `kindest/node:v${major}.${minor}.${patch}`
  const pinned = KIND_NODE_IMAGES[`${major}.${minor}`]
  if (pinned) return pinned
  throw new UsageError(
    `geniro-dev has no kind node image for Kubernetes ${major}.${minor}`,
    `use one of ${supportedKindMinors().join(', ')}, or an exact version with a published kindest/node image (e.g. ${major}.${minor}.1)`,
  )
}

export function checkedNodeImage(text: string): string {
  const image = text.trim()
  if (!image || /\s/.test(image)) {
    throw new UsageError(
      `invalid node image "${text}"`,
      'name an image such as kindest/node:v1.34.0',
    )
  }
  return image
}

function requestedVersion(version: Version | string): {
  major: number
  minor: number
  patch?: number
} {
  if (typeof version !== 'string') {
    return !version.patchGiven
      ? {major: version.major, minor: version.minor}
      : {major: version.major, minor: version.minor, patch: version.patch}
  }
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version.trim())
  if (!match) {
    throw new UsageError(
      `"${version}" is not a Kubernetes version`,
      'use a version such as 1.34 or 1.34.0',
    )
  }
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return match[3] === undefined ? {major, minor} : {major, minor, patch: Number(match[3])}
}

function minorOf(key: string): number {
  return Number(key.split('.')[1])
}
