/**
 * A map with no prototype: keys such as __proto__ or constructor are plain data. Its own
 * module so that values code that never parses YAML does not load the YAML library.
 */
export function emptyMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>
}
