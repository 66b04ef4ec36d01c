import type {Values} from './set-values.js'

/** Whether two sets of values are the same, whatever the order of their keys. */
export function sameValues(deployed: Values, desired: Values): boolean {
  return canonical(deployed) === canonical(desired)
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  )
}
