// Which kind release published which kindest/node image. kind supports a node image with the
// kind release it was published with, and other releases only on a best-effort basis
// (kind.sigs.k8s.io/docs/design/node-image); an image of a Kubernetes minor that no earlier
// kind release knew fails in `kubeadm init`. doctor and the `kind create` failure explanation
// read this table. Pure data and pure functions.
import {compareVersions, parseVersion, type Version} from './version.js'

export interface KindRelease {
  kind: string
  /** The default node image (kubernetes-sigs/kind: pkg/apis/config/defaults/image.go at the tag). */
  defaultImage: string
  /** "Images pre-built for this release" in the release notes (github.com/kubernetes-sigs/kind/releases). */
  images: readonly string[]
}

/**
 * Oldest first. Defaults checked in the kind repository at each tag; the published lists are
 * the releases' notes (v0.28.0 and v0.29.0 list the same tags, built twice: the tag on Docker
 * Hub now carries v0.29.0's build). Releases before v0.25.0 only matter for their defaults.
 */
export const KIND_RELEASES: readonly KindRelease[] = [
  {kind: '0.19.0', defaultImage: 'kindest/node:v1.27.1', images: []},
  {kind: '0.20.0', defaultImage: 'kindest/node:v1.27.3', images: []},
  {kind: '0.21.0', defaultImage: 'kindest/node:v1.29.1', images: []},
  {kind: '0.22.0', defaultImage: 'kindest/node:v1.29.2', images: []},
  {kind: '0.23.0', defaultImage: 'kindest/node:v1.30.0', images: []},
  {kind: '0.24.0', defaultImage: 'kindest/node:v1.31.0', images: []},
  {
    kind: '0.25.0',
    defaultImage: 'kindest/node:v1.31.2',
    images: ['v1.31.2', 'v1.30.6', 'v1.29.10', 'v1.28.15', 'v1.27.16', 'v1.26.15'],
  },
  {
    kind: '0.26.0',
    defaultImage: 'kindest/node:v1.32.0',
    images: ['v1.32.0', 'v1.31.4', 'v1.30.8', 'v1.29.12'],
  },
  {
    kind: '0.27.0',
    defaultImage: 'kindest/node:v1.32.2',
    images: ['v1.32.2', 'v1.31.6', 'v1.30.10', 'v1.29.14'],
  },
  {
    kind: '0.28.0',
    defaultImage: 'kindest/node:v1.33.1',
    images: ['v1.33.1', 'v1.32.5', 'v1.31.9', 'v1.30.13'],
  },
  {
    kind: '0.29.0',
    defaultImage: 'kindest/node:v1.33.1',
    images: ['v1.33.1', 'v1.32.5', 'v1.31.9', 'v1.30.13'],
  },
  {
    kind: '0.30.0',
    defaultImage: 'kindest/node:v1.34.0',
    images: ['v1.34.0', 'v1.33.4', 'v1.32.8', 'v1.31.12'],
  },
  {
    kind: '0.31.0',
    defaultImage: 'kindest/node:v1.35.0',
    images: ['v1.35.0', 'v1.34.3', 'v1.33.7', 'v1.32.11', 'v1.31.14'],
  },
  {kind: '0.32.0', defaultImage: 'kindest/node:v1.36.1', images: []},
]

/** How the installed kind fits a node image. */
export type KindFit =
  /** kind is at least the release that published the image (or knows its minor and the image is unlisted). */
  | {fit: 'ok'; builtFor?: string}
  /** The image was published by a newer kind; this one knows the minor: best effort. */
  | {fit: 'older'; builtFor: string}
  /** No kind release up to this one knew the image's Kubernetes minor. */
  | {fit: 'too-old'; firstKind: string; minor: string; builtFor?: string}
  /** Not a kindest/node:vX.Y.Z image, or a kind/minor newer than this table. */
  | {fit: 'unknown'}

/**
 * Compares kind's version with the image a cluster would run: the release that published
 * the image (exact tag), and the first release whose default image had its minor.
 */
export function kindFitFor(kindVersion: string, image: string): KindFit {
  const kind = parseVersion(kindVersion)
  const tag = nodeImageTag(image)
  const kubernetes = tag ? parseVersion(tag) : undefined
  if (!kind || !tag || !kubernetes) return {fit: 'unknown'}
  // The tag carries the build of the last release that listed it.
  const builtFor = KIND_RELEASES.findLast((release) => release.images.includes(tag))?.kind
  const first = KIND_RELEASES.find((release) => {
    const minor = parseVersion(nodeImageTag(release.defaultImage) ?? '')
    return minor !== undefined && minorAtLeast(minor, kubernetes)
  })
  if (!first) return {fit: 'unknown'}
  if (compareVersions(kind, parseVersion(first.kind)!) < 0) {
    return {
      fit: 'too-old',
      firstKind: first.kind,
      minor: `${kubernetes.major}.${kubernetes.minor}`,
      ...(builtFor ? {builtFor} : {}),
    }
  }
  if (builtFor && compareVersions(kind, parseVersion(builtFor)!) < 0) {
    return {fit: 'older', builtFor}
  }
  return builtFor ? {fit: 'ok', builtFor} : {fit: 'ok'}
}

/** "v1.34.0" of kindest/node:v1.34.0[@sha256:…]; undefined for any other image. */
export function nodeImageTag(image: string): string | undefined {
  const match = /^(?:docker\.io\/)?kindest\/node:(v\d+\.\d+\.\d+)(?:@sha256:[0-9a-f]+)?$/.exec(
    image.trim(),
  )
  return match?.[1]
}

function minorAtLeast(version: Version, wanted: Version): boolean {
  return (
    version.major > wanted.major ||
    (version.major === wanted.major && version.minor >= wanted.minor)
  )
}
