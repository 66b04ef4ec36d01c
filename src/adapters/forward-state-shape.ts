// The shapes a state file must have to be trusted; anything else is stale.
import type {SupervisorState} from '../core/forward-plan.js'
import {isValidPid, type ProcessIdentity} from './process-identity.js'

const FORWARD_STATES = new Set(['starting', 'ready', 'reconnecting', 'failed'])

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type
}

export function isProcessIdentity(value: unknown): value is ProcessIdentity {
  return (
    isObject(value) &&
    isValidPid(value.pid) &&
    optional(value.startTicks, 'number') &&
    optional(value.started, 'string') &&
    optional(value.boot, 'string') &&
    optional(value.command, 'string') &&
    (value.pgid === undefined || isValidPid(value.pgid))
  )
}

export function isIdentityList(value: unknown): value is ProcessIdentity[] {
  return Array.isArray(value) && value.every(isProcessIdentity)
}

export function isPortMap(value: unknown): value is Record<string, number> {
  return isObject(value) && Object.values(value).every(isPort)
}

export function isSupervisorState(value: unknown): value is SupervisorState {
  return (
    isObject(value) &&
    Array.isArray(value.forwards) &&
    value.forwards.every(
      (f: unknown) =>
        isObject(f) &&
        typeof f.name === 'string' &&
        isPort(f.localPort) &&
        isPort(f.remotePort) &&
        typeof f.target === 'string' &&
        FORWARD_STATES.has(f.state as string) &&
        Number.isInteger(f.restarts) &&
        (f.tunnelPort === undefined || isPort(f.tunnelPort)) &&
        optional(f.lastError, 'string'),
    )
  )
}
