// Bridge mode's records in the release's state dir, beside the forwards' state: how pods
// reach each shared Compose service (read by `ports` and `status`, so kept light: no YAML),
// and the Compose containers it attached to the cluster's network (undone by `down`).
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import type {BridgeRoute} from '../core/bridge-values.js'
import {allStateDirs} from './state-root.js'
import {readJson, writeJsonAtomic} from './state-files.js'
import {type ForwardStateDir} from './forward-state.js'

/** How pods reach each bridged Compose service, as the last `bridge` run established it. */
export interface RouteRecord {
  service: 'postgresql' | 'redis'
  composeService: string
  host: string
  port: number
  path: BridgeRoute['path']
}

/** A Compose container bridge mode connected to the cluster's Docker network. */
export interface Attachment {
  network: string
  container: string
}

const ROUTES_FILE = 'bridge-routes.json'
const ATTACHMENTS_FILE = 'bridge-attachment.json'

export function recordRoutes(dir: ForwardStateDir, routes: RouteRecord[]): void {
  dir.ensure()
  const records = routes.map(({service, composeService, host, port, path}) => ({
    service,
    composeService,
    host,
    port,
    path,
  }))
  writeJsonAtomic(join(dir.dir, ROUTES_FILE), records)
}

/** The recorded routes of a release's state dir; none outside bridge mode. */
export function readRoutes(dir: ForwardStateDir): RouteRecord[] {
  return readJson<RouteRecord[]>(join(dir.dir, ROUTES_FILE)) ?? []
}

export async function forgetRoutes(dir: ForwardStateDir): Promise<void> {
  await rm(join(dir.dir, ROUTES_FILE), {force: true})
}

/** Recorded the moment the attachment exists, before anything else can fail. */
export function recordAttachment(dir: ForwardStateDir, attachment: Attachment): void {
  dir.ensure()
  const kept = readAttachments(dir).filter(
    (a) => a.network !== attachment.network || a.container !== attachment.container,
  )
  writeJsonAtomic(join(dir.dir, ATTACHMENTS_FILE), [...kept, attachment])
}

/** The attachments bridge mode made (PostgreSQL's, Redis's); one object in older state files. */
export function readAttachments(dir: ForwardStateDir): Attachment[] {
  const recorded = readJson<Attachment | Attachment[]>(join(dir.dir, ATTACHMENTS_FILE))
  if (!recorded) return []
  return Array.isArray(recorded) ? recorded : [recorded]
}

export async function forgetAttachments(dir: ForwardStateDir): Promise<void> {
  await rm(join(dir.dir, ATTACHMENTS_FILE), {force: true})
}

/**
 * The other state dirs (any context, namespace or release) that record `attachment`: a
 * Compose container two releases bridge to stays attached until the last of them is down.
 */
export function attachmentHolders(
  attachment: Attachment,
  except: readonly ForwardStateDir[],
): ForwardStateDir[] {
  const excluded = new Set(except.map((dir) => dir.dir))
  return allStateDirs().filter(
    (dir) =>
      !excluded.has(dir.dir) &&
      readAttachmentsLeniently(dir).some(
        (a) => a.network === attachment.network && a.container === attachment.container,
      ),
  )
}

/** Another release's damaged record counts as holding nothing; its own `down` reports it. */
function readAttachmentsLeniently(dir: ForwardStateDir): Attachment[] {
  try {
    return readAttachments(dir).filter(
      (a) => typeof a?.network === 'string' && typeof a?.container === 'string',
    )
  } catch {
    return []
  }
}
