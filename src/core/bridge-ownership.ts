import type {BridgeDatabase, BridgeDatabasePlan} from './bridge-databases.js'
import {UserError} from './errors.js'

/**
 * Bridge mode only ever changes a role or database it created itself, for this very release.
 * What it creates carries a comment (`COMMENT ON ROLE/DATABASE`) naming the owner: a fixed
 * prefix and a JSON object, always written in the same form so that the cleanup SQL in the
 * README can match it exactly. Anything without that exact comment is not ours: unmarked,
 * another release's, or the Compose stack's.
 */

/** The release a bridge role and its databases belong to. */
export interface BridgeOwner {
  /** The kube context: names the cluster (kind-geniro-dev, a minikube profile, …). */
  context: string
  namespace: string
  release: string
}

export const MARK_PREFIX = 'geniro-dev bridge '

/** The comment geniro-dev writes on what it creates for `owner`; keys in a fixed order. */
export function ownerMark(owner: BridgeOwner): string {
  const {context, namespace, release} = owner
  return MARK_PREFIX + JSON.stringify({context, namespace, release})
}

/** What a role's or database's comment says about who owns it. */
export type MarkFinding =
  | {kind: 'ours'}
  | {kind: 'unmarked'}
  /** geniro-dev's, for another cluster, namespace or release. */
  | {kind: 'other'; owner: BridgeOwner}
  /** A comment that is no mark geniro-dev writes (someone else's, or edited by hand). */
  | {kind: 'foreign'; comment: string}

/** Reads a comment; never throws, whatever the comment holds. */
export function readMark(comment: string | null | undefined, owner: BridgeOwner): MarkFinding {
  if (comment === null || comment === undefined || comment === '') return {kind: 'unmarked'}
  if (comment === ownerMark(owner)) return {kind: 'ours'}
  const other = comment.startsWith(MARK_PREFIX)
    ? parseOwner(comment.slice(MARK_PREFIX.length))
    : undefined
  // Only a mark in the exact form geniro-dev writes names an owner; the cleanup SQL matches it.
  if (other && ownerMark(other) === comment) return {kind: 'other', owner: other}
  return {kind: 'foreign', comment}
}

function parseOwner(json: string): BridgeOwner | undefined {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const {context, namespace, release} = value as Record<string, unknown>
  if (typeof context !== 'string' || typeof namespace !== 'string' || typeof release !== 'string')
    return undefined
  return {context, namespace, release}
}

export function describeOwner(owner: BridgeOwner): string {
  return `release "${owner.release}" in namespace "${owner.namespace}" of kube context "${owner.context}"`
}

/** The catalog rows the ownership check reads (shobj_description of each). */
export interface CatalogFacts {
  /** The user geniro-dev connects as. */
  admin: string
  /** The planned role, when it exists. */
  role?: {comment: string | null}
  /** Every database on the server. */
  databases: readonly {name: string; owner: string; comment: string | null}[]
}

/** What the writes will be, once nothing is refused. */
export interface OwnershipVerdict {
  createRole: boolean
  /** Planned databases that do not exist yet. */
  create: BridgeDatabase[]
  /** Our role's databases still without a mark: a run stopped between CREATE and COMMENT. */
  mark: string[]
}

/** One role or database bridge mode refuses to touch, and why. */
export interface RefusedObject {
  kind: 'role' | 'database'
  name: string
  finding: MarkFinding
  /** The database's owner, or the databases the role owns. */
  owner?: string
  owns?: string[]
}

/** Bridge mode found a planned name taken by something it did not create for this release. */
export class NotOursError extends UserError {
  constructor(
    message: string,
    hint: string,
    readonly refused: RefusedObject[],
  ) {
    super(message, hint)
  }

  override toJSON(): Record<string, unknown> {
    return {...super.toJSON(), refused: this.refused}
  }
}

/**
 * Proves that every existing planned name is ours before anything is written, and says what
 * is left to create. Throws a NotOursError naming each object that is not, with its owner and
 * the flag that picks other names.
 */
export function judgeOwnership(
  plan: BridgeDatabasePlan,
  owner: BridgeOwner,
  facts: CatalogFacts,
  address: string,
): OwnershipVerdict {
  if (plan.role === facts.admin) {
    throw new UserError(
      `the bridge role ${plan.role} is the user geniro-dev connects as; setting its password would lock the Compose stack out`,
      'choose another role name or --db-suffix',
    )
  }
  const refused: RefusedObject[] = []
  const roleFinding = facts.role ? readMark(facts.role.comment, owner) : undefined
  if (facts.role && roleFinding?.kind !== 'ours') {
    const owns = facts.databases.filter((d) => d.owner === plan.role).map((d) => d.name)
    refused.push({kind: 'role', name: plan.role, finding: roleFinding!, owns})
  }

  const existing = new Map(facts.databases.map((database) => [database.name, database]))
  const create: BridgeDatabase[] = []
  const mark: string[] = []
  for (const database of plan.databases) {
    const found = existing.get(database.name)
    if (!found) {
      create.push(database)
      continue
    }
    const finding = readMark(found.comment, owner)
    const ownedByRole = found.owner === plan.role
    if (finding.kind === 'ours' && ownedByRole) continue
    // Only our own role can own an unmarked database of the planned name: an interrupted run.
    if (finding.kind === 'unmarked' && ownedByRole && roleFinding?.kind === 'ours') {
      mark.push(database.name)
      continue
    }
    refused.push({kind: 'database', name: database.name, finding, owner: found.owner})
  }
  if (refused.length > 0) throw notOurs(refused, plan, owner, address)
  return {createRole: !facts.role, create, mark}
}

function notOurs(
  refused: RefusedObject[],
  plan: BridgeDatabasePlan,
  owner: BridgeOwner,
  address: string,
): NotOursError {
  const items = refused.map((object) => `${object.kind} ${object.name} (${why(object, plan)})`)
  const message =
    `${items.join(', ')} at ${address} ${refused.length > 1 ? 'are' : 'is'} not geniro-dev's ` +
    `for ${describeOwner(owner)}; bridge mode only changes a role or database it created for it`

  const roleRefused = refused.some((object) => object.kind === 'role')
  const apiName = plan.databases.find((database) => database.purpose === 'api')?.name
  // --database renames only the API database; the role follows --db-suffix alone.
  const onlyApi = !roleRefused && refused.every((object) => object.name === apiName)
  const flags = onlyApi
    ? '--database NAME (the API database) or --db-suffix SUFFIX'
    : '--db-suffix SUFFIX'
  const anotherBridge = refused.every((object) => object.finding.kind === 'other')
  let hint = `${anotherBridge ? 'another bridge uses these names: ' : ''}choose other names with ${flags}`
  if (looksLikeOlderGeniroDev(refused, plan)) {
    const sql = `COMMENT ON ROLE ${quoteIdentifier(plan.role)} IS ${quoteLiteral(ownerMark(owner))}`
    hint += `; if an older geniro-dev created them for this release, adopt them with \`${sql}\` (its databases follow on the next run)`
  }
  return new NotOursError(message, hint, refused)
}

function why(object: RefusedObject, plan: BridgeDatabasePlan): string {
  const finding = object.finding
  const mark =
    finding.kind === 'other'
      ? `created by geniro-dev for ${describeOwner(finding.owner)}`
      : finding.kind === 'foreign'
        ? `its comment ${JSON.stringify(shorten(finding.comment))} is no geniro-dev mark`
        : finding.kind === 'ours'
          ? 'marked for this release'
          : 'no geniro-dev mark'
  if (object.kind === 'role') {
    const owns = object.owns ?? []
    if (owns.length === 0) return mark
    const listed = owns.slice(0, 3).join(', ') + (owns.length > 3 ? ', …' : '')
    return `${mark}; owns ${owns.length > 1 ? 'databases' : 'database'} ${listed}`
  }
  return object.owner === plan.role
    ? mark
    : `${mark}; owned by ${object.owner === undefined ? 'another role' : `role ${object.owner}`}`
}

/**
 * What an older geniro-dev (before marks) left: the planned role unmarked, owning nothing but
 * planned databases, none of them marked. Only then does the hint offer the SQL to adopt it.
 */
function looksLikeOlderGeniroDev(refused: RefusedObject[], plan: BridgeDatabasePlan): boolean {
  const role = refused.find((object) => object.kind === 'role')
  if (!role || role.finding.kind !== 'unmarked' || !role.owns?.length) return false
  const planned = new Set(plan.databases.map((database) => database.name))
  return (
    role.owns.every((name) => planned.has(name)) &&
    refused.every(
      (object) =>
        object.kind === 'role' ||
        (object.finding.kind === 'unmarked' && object.owner === plan.role),
    )
  )
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** SQL quoting for the hint's statement (the adapter uses pg's own escaping for its writes). */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}
