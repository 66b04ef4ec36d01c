import {spawn, execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

export interface PrivateDockerdOptions {
  /** Where the daemon's directory is made (default /tmp; socket paths must stay short). */
  base?: string
  /**
   * Run the daemon in a network namespace of its own (`ip netns add gdev-np-…`, only `lo`
   * up), so its docker0, its iptables chains and its published ports never meet those of a
   * daemon in the host's namespace. Its unix socket is a file, reachable from the host. Its
   * containers reach nothing outside it. stop() deletes the namespace.
   */
  netns?: boolean
  /** dockerd arguments for every start(), e.g. ['--userland-proxy=false']. */
  extraArgs?: string[]
}

/**
 * A private Docker daemon for tests: its own socket, data root, exec root and
 * pidfile, so it never touches a daemon the machine already runs.
 */
export class PrivateDockerd {
  readonly dir: string
  readonly socket: string
  /** The network namespace the daemon runs in (netns option), else undefined. */
  readonly netns?: string
  private readonly extraArgs: string[]
  private pid?: number

  constructor(options: string | PrivateDockerdOptions = '/tmp') {
    const {
      base = '/tmp',
      netns = false,
      extraArgs = [],
    } = typeof options === 'string' ? {base: options} : options
    // Unix socket paths are limited to ~108 bytes: keep the directory short.
    this.dir = mkdtempSync(join(base, 'gdev-dockerd-'))
    this.socket = join(this.dir, 'docker.sock')
    this.extraArgs = extraArgs
    if (netns) this.netns = `gdev-np-${randomBytes(4).toString('hex')}`
  }

  get host(): string {
    return `unix://${this.socket}`
  }

  async start(extraArgs: string[] = [], timeoutMs = 60_000): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the private dockerd needs root')
    for (const sub of ['data', 'exec']) mkdirSync(join(this.dir, sub), {recursive: true})
    const dockerd = [
      'dockerd',
      `--host=${this.host}`,
      `--data-root=${join(this.dir, 'data')}`,
      `--exec-root=${join(this.dir, 'exec')}`,
      `--pidfile=${join(this.dir, 'dockerd.pid')}`,
      ...this.extraArgs,
      ...extraArgs,
    ]
    if (this.netns) this.addNetns(this.netns)
    // Not `ip netns exec`: it remounts /sys for the namespace, which hides the cgroup (v1)
    // mounts below it ("Devices cgroup isn't mounted"). nsenter only switches the network
    // namespace and then execs dockerd, so the child's pid is the daemon's.
    const [file, ...args] = this.netns
      ? ['nsenter', `--net=/var/run/netns/${this.netns}`, '--', ...dockerd]
      : dockerd
    const child = spawn(file!, args, {stdio: ['ignore', 'ignore', 'ignore'], detached: true})
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

  private addNetns(name: string): void {
    try {
      execFileSync('ip', ['-V'], {stdio: 'pipe'})
    } catch {
      throw new Error('`ip` (iproute2) is missing: run `bash scripts/toolchain.sh` first')
    }
    execFileSync('ip', ['netns', 'add', name], {stdio: 'pipe'})
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'], {stdio: 'pipe'})
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
    if (this.netns && existsSync(`/var/run/netns/${this.netns}`)) {
      execFileSync('ip', ['netns', 'delete', this.netns], {stdio: 'pipe'})
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
