import {spawn, type ChildProcess} from 'node:child_process'
import {connect, createServer, type Server, type Socket} from 'node:net'
import {createInterface} from 'node:readline'
import {setTimeout as sleep} from 'node:timers/promises'
import {
  inspectProcess,
  type ProcessFacts,
  type ProcessIdentity,
} from '../adapters/process-identity.js'
import {
  FAILED_AFTER_ATTEMPTS,
  parseForwardingLine,
  portForwardArgs,
  tunnelBackoffMs,
  type ForwardSpec,
  type ForwardState,
  type ForwardStatus,
} from '../core/forward-plan.js'

export interface ForwardOptions {
  kubectl: string
  kubeContext: string
  namespace: string
  /** How long a new client connection waits for a tunnel before it is closed. */
  connectWaitMs: number
  /** How often a connection is opened through a ready tunnel to prove it still works. */
  healthIntervalMs: number
  /** The environment kubectl runs with (supervisorEnvironment: nothing else of the user's). */
  env: Record<string, string>
  log: (line: string) => void
  /** Called whenever the status or the tunnel process changes (the supervisor republishes). */
  onChange: () => void
}

/** A tunnel that served at least this long counts as healthy: the next one starts at once. */
const HEALTHY_AFTER_MS = 1_000
const DIAL_TIMEOUT_MS = 2_000
const KILL_GRACE_MS = 2_000

/**
 * One forward. The stable listener on 127.0.0.1:localPort belongs to us and stays bound for
 * the forward's whole life; behind it, `kubectl port-forward :REMOTE` runs on a port kubectl
 * picks, and is restarted with capped backoff whenever it exits (pod restart, lost
 * connection). A client that arrives while the tunnel is down waits for the next one.
 */
export class ManagedForward {
  private server?: Server
  private child?: ChildProcess
  private childIdentity?: ProcessIdentity
  private tunnelPort?: number
  private state: ForwardState = 'starting'
  private tunnels = 0
  private failuresInARow = 0
  private lastError?: string
  private readyAt = 0
  private stopped = false
  private readonly waiters = new Set<() => void>()
  private readonly clients = new Set<Socket>()
  private restartTimer?: NodeJS.Timeout
  private healthTimer?: NodeJS.Timeout

  constructor(
    readonly spec: ForwardSpec,
    private readonly options: ForwardOptions,
  ) {}

  status(): ForwardStatus {
    return {
      ...this.spec,
      state: this.state,
      restarts: Math.max(this.tunnels - 1, 0),
      ...(this.tunnelPort ? {tunnelPort: this.tunnelPort} : {}),
      ...(this.lastError ? {lastError: this.lastError} : {}),
    }
  }

  /** The running kubectl, as recorded to know it again (pid, start time, group). */
  tunnelProcess(): ProcessIdentity | undefined {
    return this.child ? this.childIdentity : undefined
  }

  /** Binds the stable listener; rejects with the bind error (e.g. EADDRINUSE). */
  listen(): Promise<void> {
    const server = createServer({pauseOnConnect: true}, (client) => this.accept(client))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen({host: '127.0.0.1', port: this.spec.localPort, exclusive: true}, () => {
        server.off('error', reject)
        resolve()
      })
    })
  }

  start(): void {
    this.startTunnel()
    this.healthTimer = setInterval(() => void this.checkHealth(), this.options.healthIntervalMs)
    this.healthTimer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.restartTimer)
    clearInterval(this.healthTimer)
    this.wake()
    for (const client of this.clients) client.destroy()
    await Promise.all([
      new Promise<void>((resolve) =>
        this.server ? this.server.close(() => resolve()) : resolve(),
      ),
      this.child ? stopChild(this.child) : undefined,
    ])
  }

  private startTunnel(): void {
    if (this.stopped) return
    this.tunnels++
    const {kubectl, kubeContext, namespace} = this.options
    // node:child_process rather than execa: a tunnel runs until stopped and its output is read
    // line by line as it comes; execa's buffering, result and verbose add nothing here but
    // memory and start-up in a process that stays up for hours.
    const child = spawn(kubectl, portForwardArgs(this.spec, kubeContext, namespace), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.options.env,
    })
    this.child = child
    // Its start time and group, taken now: `forward stop` kills a tunnel left behind by a
    // supervisor that died only when that very process is still there. Not its command line,
    // which a wrapper (`#!/usr/bin/env node`) changes once more after this.
    const facts = child.pid === undefined ? undefined : inspectProcess(child.pid)
    this.childIdentity = facts ? tunnelIdentity(facts) : undefined
    this.options.onChange()
    let said = ''
    createInterface({input: child.stdout}).on('line', (line) => {
      const port = parseForwardingLine(line)
      if (port !== undefined && this.child === child && this.tunnelPort === undefined)
        this.tunnelReady(port)
    })
    createInterface({input: child.stderr}).on('line', (line) => {
      if (!line.trim()) return
      said = line.trim()
      this.options.log(`${this.spec.name}: kubectl: ${said}`)
    })
    child.once('error', (error) => {
      said = `cannot run ${kubectl}: ${error.message}`
    })
    child.once('close', (code, signal) => {
      this.tunnelExited(child, said || `kubectl exited (${signal ?? `code ${code}`})`)
    })
  }

  private tunnelReady(port: number): void {
    this.tunnelPort = port
    this.readyAt = Date.now()
    this.state = 'ready'
    this.options.log(
      `${this.spec.name}: ready, 127.0.0.1:${this.spec.localPort} -> ${this.spec.target}:${this.spec.remotePort} (tunnel 127.0.0.1:${port}, pid ${this.child?.pid})`,
    )
    this.wake()
    this.options.onChange()
  }

  private tunnelExited(child: ChildProcess, reason: string): void {
    if (this.child !== child) return
    const wasReady = this.tunnelPort !== undefined
    this.child = undefined
    this.tunnelPort = undefined
    if (this.stopped) return
    this.lastError = reason
    const healthy = wasReady && Date.now() - this.readyAt >= HEALTHY_AFTER_MS
    this.failuresInARow = healthy ? 0 : this.failuresInARow + 1
    this.state = this.failuresInARow >= FAILED_AFTER_ATTEMPTS ? 'failed' : 'reconnecting'
    const delay = tunnelBackoffMs(this.failuresInARow)
    this.options.log(`${this.spec.name}: tunnel down (${reason}); restarting in ${delay} ms`)
    this.options.onChange()
    this.restartTimer = setTimeout(() => this.startTunnel(), delay)
  }

  /** A connection through the tunnel; a tunnel that no longer answers is restarted. */
  private async checkHealth(): Promise<void> {
    const port = this.tunnelPort
    if (port === undefined || this.stopped) return
    const socket = await dial(port).catch(() => undefined)
    if (socket) {
      socket.destroy()
      return
    }
    if (this.tunnelPort === port && this.child) {
      this.options.log(`${this.spec.name}: health check through 127.0.0.1:${port} failed`)
      this.child.kill('SIGTERM')
    }
  }

  private accept(client: Socket): void {
    this.clients.add(client)
    client.once('close', () => this.clients.delete(client))
    client.on('error', () => client.destroy())
    void this.relay(client)
  }

  private async relay(client: Socket): Promise<void> {
    const deadline = Date.now() + this.options.connectWaitMs
    while (!client.destroyed && !this.stopped) {
      const port = await this.tunnel(deadline)
      if (port === undefined) break
      const upstream = await dial(port).catch(() => undefined)
      if (upstream) {
        splice(client, upstream)
        return
      }
      // kubectl died under us; its exit restarts the tunnel. Wait for that one.
      if (this.tunnelPort === port) await sleep(25)
    }
    client.destroy()
  }

  /** The tunnel's port once one is ready, or undefined at the deadline or on stop. */
  private async tunnel(deadline: number): Promise<number | undefined> {
    while (this.tunnelPort === undefined && !this.stopped) {
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left)
        function done() {
          clearTimeout(timer)
          resolve()
        }
        this.waiters.add(done)
      })
    }
    return this.stopped ? undefined : this.tunnelPort
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter()
    this.waiters.clear()
  }
}

function tunnelIdentity(facts: ProcessFacts): ProcessIdentity {
  return {
    pid: facts.pid,
    ...(facts.startTicks !== undefined ? {startTicks: facts.startTicks} : {}),
    ...(facts.boot !== undefined ? {boot: facts.boot} : {}),
    ...(facts.started !== undefined ? {started: facts.started} : {}),
    pgid: facts.pgid,
  }
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({host: '127.0.0.1', port})
    socket.setTimeout(DIAL_TIMEOUT_MS, () => socket.destroy(new Error('connect timed out')))
    socket.once('connect', () => {
      socket.setTimeout(0)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

/** Bytes both ways, half-closes passed on; a reset on either side resets the other. */
function splice(client: Socket, upstream: Socket): void {
  upstream.on('error', () => client.destroy())
  client.on('error', () => upstream.destroy())
  upstream.once('close', (hadError) => hadError && client.destroy())
  client.once('close', (hadError) => hadError && upstream.destroy())
  client.pipe(upstream)
  upstream.pipe(client)
  client.on('data', countRelayed)
  upstream.on('data', countRelayed)
  client.resume()
}

/**
 * Each chunk relayed is a new Buffer whose memory lives outside V8's heap, so V8 sees little
 * reason to collect: between its own collections ~25 MiB of dead chunks piled up (RSS swung
 * 57 → 80 MiB at 32 MiB/s). A young-generation collection every few MiB relayed frees them as
 * they die (peak ~53 MiB, measured by scripts/bench-forward.ts); it takes well under a
 * millisecond. `gc` exists because the launcher starts the supervisor with --expose-gc.
 */
const MINOR_GC_EVERY_BYTES = 4 * 1024 * 1024
let relayedSinceGc = 0
function countRelayed(chunk: Buffer): void {
  relayedSinceGc += chunk.length
  if (relayedSinceGc < MINOR_GC_EVERY_BYTES) return
  relayedSinceGc = 0
  ;(globalThis as {gc?: (options: {type: 'minor'}) => void}).gc?.({type: 'minor'})
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
    child.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
