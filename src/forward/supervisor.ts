import {appendFileSync} from 'node:fs'
import type {ForwardSpec, SupervisorState} from '../core/forward-plan.js'
import type {ForwardStateDir} from '../adapters/forward-state.js'
import type {ProcessIdentity} from '../adapters/process-identity.js'
import {supervisorEnvironment} from '../core/supervisor-env.js'
import {ManagedForward} from './managed-forward.js'

/** What the supervisor runs: written to spec.json by `geniro-dev forward`. */
export interface SupervisorSpec {
  kubectl: string
  kubeContext: string
  namespace: string
  release: string
  forwards: ForwardSpec[]
  connectWaitMs: number
  healthIntervalMs: number
}

export const DEFAULT_CONNECT_WAIT_MS = 30_000
export const DEFAULT_HEALTH_INTERVAL_MS = 10_000

/**
 * Runs every forward of one release and publishes their state to the state dir on each
 * change. Used by the detached supervisor process and by `forward --foreground` alike.
 */
export class Supervisor {
  private readonly forwards: ManagedForward[]
  private readonly startedAt = new Date().toISOString()
  private stopping?: Promise<void>

  constructor(
    private readonly spec: SupervisorSpec,
    private readonly files: ForwardStateDir,
  ) {
    const options = {
      kubectl: spec.kubectl,
      kubeContext: spec.kubeContext,
      namespace: spec.namespace,
      connectWaitMs: spec.connectWaitMs,
      healthIntervalMs: spec.healthIntervalMs,
      env: supervisorEnvironment(process.env),
      log: (line: string) => this.log(line),
      onChange: () => this.publish(),
    }
    this.forwards = spec.forwards.map((forward) => new ManagedForward(forward, options))
  }

  /**
   * Binds every stable listener first (a port taken since the collision check fails the
   * whole start, with nothing left bound), then starts the tunnels.
   */
  async start(): Promise<void> {
    this.files.ensure()
    this.files.writeSupervisor(process.pid)
    this.log(`supervisor ${process.pid} starting ${this.forwards.length} forwards`)
    for (const forward of this.forwards) {
      try {
        await forward.listen()
      } catch (error) {
        const reason = `cannot listen on 127.0.0.1:${forward.spec.localPort}: ${(error as Error).message}`
        this.log(`${forward.spec.name}: ${reason}`)
        await this.stop()
        throw new Error(`${forward.spec.name}: ${reason}`, {cause: error})
      }
    }
    for (const forward of this.forwards) forward.start()
    this.publish()
  }

  /** Stops every tunnel and listener and removes the state; safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.forwards.map((forward) => forward.stop()))
      this.files.clear()
      this.log(`supervisor ${process.pid} stopped`)
    })()
    return this.stopping
  }

  state(): SupervisorState {
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      kubeContext: this.spec.kubeContext,
      namespace: this.spec.namespace,
      release: this.spec.release,
      logFile: this.files.logFile,
      forwards: this.forwards.map((forward) => forward.status()),
    }
  }

  /** The state, and the kubectl processes running (tunnels.json, for `forward stop`). */
  private publish(): void {
    if (this.stopping) return
    try {
      this.files.writeState(this.state())
      this.files.writeTunnels(
        this.forwards
          .map((forward) => forward.tunnelProcess())
          .filter((tunnel): tunnel is ProcessIdentity => tunnel !== undefined),
      )
    } catch (error) {
      // A full or removed disk must not take the forwards down.
      this.log(`cannot publish the state: ${(error as Error).message}`)
    }
  }

  log(line: string): void {
    try {
      appendFileSync(this.files.logFile, `${new Date().toISOString()} ${line}\n`)
    } catch {
      // A full or removed disk must not take the forwards down.
    }
  }
}
