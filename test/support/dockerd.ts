import {spawn, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

/**
 * A private Docker daemon for tests: its own socket, data root, exec root and
 * pidfile, so it never touches a daemon the machine already runs.
 */
export class PrivateDockerd {
  readonly dir: string
  readonly socket: string
  private pid?: number

  constructor(base = '/tmp') {
    // Unix socket paths are limited to ~108 bytes: keep the directory short.
    this.dir = mkdtempSync(join(base, 'gdev-dockerd-'))
    this.socket = join(this.dir, 'docker.sock')
  }

  get host(): string {
    return `unix://${this.socket}`
  }

  async start(extraArgs: string[] = [], timeoutMs = 60_000): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the private dockerd needs root')
    for (const sub of ['data', 'exec']) mkdirSync(join(this.dir, sub), {recursive: true})
    const child = spawn(
      'dockerd',
      [
        `--host=${this.host}`,
        `--data-root=${join(this.dir, 'data')}`,
        `--exec-root=${join(this.dir, 'exec')}`,
        `--pidfile=${join(this.dir, 'dockerd.pid')}`,
        ...extraArgs,
      ],
      {stdio: ['ignore', 'ignore', 'ignore'], detached: true},
    )
    child.unref()
    this.pid = child.pid
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (existsSync(this.socket) && this.answers()) return
      if (child.exitCode !== null) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    await this.stop()
    throw new Error(`private dockerd did not come up in ${timeoutMs} ms`)
  }

  private removeEverything(): void {
    const docker = (args: string[]) =>
      execFileSync('docker', ['--host', this.host, ...args], {stdio: 'pipe', encoding: 'utf8'})
    const containers = docker(['ps', '--all', '--quiet']).split('\n').filter(Boolean)
    if (containers.length > 0) docker(['rm', '--force', '--volumes', ...containers])
    docker(['network', 'prune', '--force'])
  }

  private answers(): boolean {
    try {
      execFileSync('docker', ['--host', this.host, 'version', '--format', '{{.Server.Version}}'], {
        stdio: 'pipe',
      })
      return true
    } catch {
      return false
    }
  }

  /**
   * Removes every container and network the daemon made, then TERM, waits for the daemon (and
   * its containerd) to go, and removes its files. A daemon stopped with networks left keeps
   * their bridges on the host after it is gone; enough of those exhaust Docker's default
   * address pools and every later daemon fails to create a network.
   */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (existsSync(this.socket) && this.answers()) this.removeEverything()
    const pidFile = join(this.dir, 'dockerd.pid')
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : this.pid
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        // already gone
      }
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline && alive(pid))
        await new Promise((resolve) => setTimeout(resolve, 200))
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
    rmSync(this.dir, {recursive: true, force: true})
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
