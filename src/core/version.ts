/** A parsed version; `raw` is the normalised "X.Y.Z" (a "v" prefix or "-4" suffix dropped). */
export interface Version {
  major: number
  minor: number
  patch: number
  raw: string
  /** false when the text named no patch ("1.33"): the caller may pick one. */
  patchGiven: boolean
}

const VERSION_PATTERN = /v?(\d+)\.(\d+)(?:\.(\d+))?/

/** Finds the first `[v]X.Y[.Z]` in a tool's output, e.g. "kind v0.27.0 go1.24 linux/amd64". */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION_PATTERN.exec(text)
  if (!match) return undefined
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)]
  return {
    major,
    minor,
    patch,
    raw: `${major}.${minor}.${patch}`,
    patchGiven: match[3] !== undefined,
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
