// Bridge mode's record of how pods reach each shared Compose service, kept in the release's
// state dir beside the forwards' state; read by `ports` and `status` (kept light: no YAML).
import {readFileSync, writeFileSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import type {BridgeRoute} from '../core/bridge-values.js'
import {forwardStateDir, stateRoot, type ForwardStateDir} from './forward-state.js'

/** How pods reach each bridged Compose service, as the last `bridge` run established it. */
export interface RouteRecord {
  service: 'postgresql' | 'redis'
  composeService: string
  host: string
  port: number
  path: BridgeRoute['path']
}

const ROUTES_FILE = 'bridge-routes.json'

export function recordRoutes(
  target: {kubeContext: string; namespace: string},
  routes: RouteRecord[],
): void {
  const dir = forwardStateDir(stateRoot(), target.kubeContext, target.namespace)
  dir.ensure()
  const records = routes.map(({service, composeService, host, port, path}) => ({
    service,
    composeService,
    host,
    port,
    path,
  }))
  writeFileSync(join(dir.dir, ROUTES_FILE), JSON.stringify(records), {mode: 0o600})
}

/** The recorded routes of a release's state dir; none outside bridge mode. */
export function readRoutes(dir: ForwardStateDir): RouteRecord[] {
  try {
    return JSON.parse(readFileSync(join(dir.dir, ROUTES_FILE), 'utf8')) as RouteRecord[]
  } catch {
    return []
  }
}

export async function forgetRoutes(dir: ForwardStateDir): Promise<void> {
  await rm(join(dir.dir, ROUTES_FILE), {force: true})
}
