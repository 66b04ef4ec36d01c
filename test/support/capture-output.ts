import {format} from 'node:util'
import {vi} from 'vitest'

/**
 * Captures what an in-process command prints: oclif writes through console.log /
 * console.error, geniro-dev's own lines through process.stdout / process.stderr.
 */
export function captureOutput(): {stdout: () => string; stderr: () => string; reset: () => void} {
  let out = ''
  let err = ''
  vi.spyOn(console, 'log').mockImplementation(
    (...args: unknown[]) => void (out += `${format(...args)}\n`),
  )
  vi.spyOn(console, 'error').mockImplementation(
    (...args: unknown[]) => void (err += `${format(...args)}\n`),
  )
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true))
  return {
    stdout: () => out,
    stderr: () => err,
    reset: () => {
      out = ''
      err = ''
    },
  }
}
