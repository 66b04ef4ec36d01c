import {readdirSync, readFileSync} from 'node:fs'

export interface ProcessEntry {
  pid: number
  pgid: number
  ppid: number
  cmdline: string
}

/** The process table from /proc, as `ps` would show it (Linux). */
export function processTable(): ProcessEntry[] {
  const entries: ProcessEntry[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[0] === 'Z') continue
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim()
      entries.push({pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]), cmdline})
    } catch {
      // Exited while we looked.
    }
  }
  return entries
}

/** Processes whose command line mentions `text` (e.g. a test's private state dir). */
export function processesMentioning(text: string): ProcessEntry[] {
  return processTable().filter((p) => p.cmdline.includes(text))
}

/**
 * What an interrupted `up` may have left running: any process of a fake environment (its
 * state dir is on every fake's command line) or a fake helm upgrade.
 */
export function fakeLeftovers(stateDir: string): string[] {
  return processTable()
    .map((p) => p.cmdline)
    .filter(
      (line) =>
        line.includes(stateDir) || (line.includes('test/fakes') && line.includes('upgrade')),
    )
}

export function processGroup(pgid: number): ProcessEntry[] {
  return processTable().filter((p) => p.pgid === pgid)
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
