import {spawn} from 'node:child_process'

/** How long an opener may take to say it failed before it counts as having opened the URL. */
const SETTLE_MS = 2_000

export type OpenOutcome = {opened: true} | {opened: false; reason: string}

/**
 * The desktop's URL opener (`xdg-open`, macOS `open`). Not run through the exec seam, on
 * purpose: the opener may start the browser itself and wait for it (xdg-open's generic mode),
 * and the seam kills what it started when geniro-dev exits. So it runs detached in its own
 * process group, and is left alone once it has not failed within a moment.
 */
export class Browser {
  constructor(readonly binary: string) {}

  open(url: string, settleMs = SETTLE_MS): Promise<OpenOutcome> {
    return new Promise((resolve) => {
      // Not through the exec seam: the opener may outlive us (it is never awaited), and
      // execa would tie it to this process.
      const child = spawn(this.binary, [url], {detached: true, stdio: 'ignore'})
      const timer = setTimeout(() => {
        child.removeAllListeners()
        child.unref()
        resolve({opened: true})
      }, settleMs)
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        resolve({
          opened: false,
          reason:
            error.code === 'ENOENT'
              ? `${this.binary} is not installed`
              : `${this.binary} cannot run (${error.code ?? error.message})`,
        })
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        resolve(
          code === 0
            ? {opened: true}
            : {opened: false, reason: `${this.binary} failed (${signal ?? `exit ${code}`})`},
        )
      })
    })
  }
}
