import {UsageError} from './errors.js'

const MAX_DURATION_SECONDS = 24 * 3600

/** "90s", "10m", "1h30m" or a bare number of seconds → seconds (never 0, at most 24h). */
export function parseDuration(text: string, flag = '--timeout'): number {
  const trimmed = text.trim()
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(trimmed)
  if (!trimmed || !match) {
    throw new UsageError(`${flag} "${text}" is not a duration`, 'use e.g. 90s, 10m or 1h')
  }
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
  if (seconds === 0) throw new UsageError(`${flag} must be longer than 0`, 'use e.g. 10m')
  // Longer is a typo, and Node's timers overflow past 24.8 days (the tool would be killed at once).
  if (seconds > MAX_DURATION_SECONDS) {
    throw new UsageError(`${flag} "${text}" is longer than 24h`, 'use at most 24h, e.g. 30m')
  }
  return seconds
}
