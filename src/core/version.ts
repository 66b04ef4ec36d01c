/** A parsed semantic version; prerelease and build metadata are kept only as text. */
export interface Version {
  major: number
  minor: number
  patch: number
  raw: string
}

const VERSION_PATTERN = /v?(\d+)\.(\d+)(?:\.(\d+))?/

/** Finds the first `[v]X.Y[.Z]` in a tool's output, e.g. "kind v0.27.0 go1.24 linux/amd64". */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION_PATTERN.exec(text)
  if (!match) return undefined
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3] ?? 0),
    raw: match[0].replace(/^v/, ''),
  }
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
}

export function versionAtLeast(version: Version, minimum: string): boolean {
  const min = parseVersion(minimum)
  if (!min) throw new Error(`invalid minimum version: ${minimum}`)
  return compareVersions(version, min) >= 0
}
