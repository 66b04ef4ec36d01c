// The detached forward supervisor as a process. Not through the exec seam: it outlives the
// command that starts it and is never awaited.
import {spawn} from 'node:child_process'
import {closeSync, openSync} from 'node:fs'
import {supervisorEnvironment} from '../core/supervisor-env.js'
import type {ForwardStateDir} from './forward-state.js'
import {SUPERVISOR_ENTRY} from './package-files.js'

/** A supervisor just launched, as its parent knows it until its pidfile appears. */
export interface LaunchedSupervisor {
  /** undefined while it runs; its exit code (null after a signal) once it exited. */
  exitCode(): number | null | undefined
  /** SIGKILL: for a supervisor that never got as far as recording itself. */
  kill(): void
}

/** Starts the supervisor of a state dir (its spec file is written first). */
export interface SupervisorLauncher {
  launch(files: ForwardStateDir): LaunchedSupervisor
}

export const detachedSupervisors: SupervisorLauncher = {
  launch(files) {
    const log = openSync(files.logFile, 'a', 0o600)
    // Detached: its own process group, which `forward stop` signals as a whole.
    // --expose-gc: the relay collects dead chunks as it goes (managed-forward.ts).
    const child = spawn(process.execPath, ['--expose-gc', SUPERVISOR_ENTRY, files.dir], {
      detached: true,
      stdio: ['ignore', log, log],
      // Only what it and kubectl need of the user's environment (no PGPASSWORD and the like).
      // glibc keeps the relay's freed 64 KiB socket buffers in its heap (measured: RSS 44 →
      // 80 MiB after 192 MiB relayed); mapping buffers above 16 KiB returns them (→ ~55 MiB).
      env: {
        ...supervisorEnvironment(process.env),
        MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '16384',
      },
    })
    closeSync(log)
    child.unref()
    let exited: number | null | undefined
    child.once('exit', (code) => (exited = code))
    return {exitCode: () => exited, kill: () => child.kill('SIGKILL')}
  },
}
