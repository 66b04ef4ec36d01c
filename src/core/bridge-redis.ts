import {splitShellWords, type ComposeService} from './compose-model.js'
import {UsageError, UserError} from './errors.js'

/**
 * Bridge mode's opt-in sharing of the Compose stack's data services (`--bridge-services`).
 * Redis is shared through a logical database of the cluster's own, never one the stack uses;
 * Qdrant has no isolation the app supports (no collection prefix), so it is never shared.
 */

export const BRIDGE_SERVICE_NAMES = ['redis', 'qdrant'] as const
export type BridgeServiceName = (typeof BRIDGE_SERVICE_NAMES)[number]

/** The database the cluster takes on the Compose Redis unless --redis-database says otherwise. */
export const DEFAULT_REDIS_DATABASE = 1
/** Redis's default `databases 16` (0–15); the chart accepts no other index either. */
const REDIS_DATABASE_COUNT = 16

/** The services of --bridge-services, checked: known names, no duplicates, never Qdrant. */
export function parseBridgeServices(names: readonly string[]): BridgeServiceName[] {
  const chosen: BridgeServiceName[] = []
  for (const raw of names) {
    const name = raw.trim().toLowerCase()
    if (name === '') continue
    if (!(BRIDGE_SERVICE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--bridge-services: unknown service "${raw}"`,
        `choose from ${BRIDGE_SERVICE_NAMES.join(', ')}`,
      )
    }
    if (!chosen.includes(name as BridgeServiceName)) chosen.push(name as BridgeServiceName)
  }
  if (chosen.includes('qdrant')) {
    throw new UserError(
      'Qdrant cannot be shared safely with the Compose stack: the API has no collection-prefix setting, so both stacks would read and write the same collections; Qdrant stays in the cluster',
      `drop qdrant from --bridge-services${chosen.length > 1 ? ` (--bridge-services ${chosen.filter((n) => n !== 'qdrant').join(',')})` : ''}`,
    )
  }
  return chosen
}

/**
 * The password the Compose Redis asks for: `--requirepass X` in its command (also inside a
 * `sh -c` script, with `$VAR` taken from its environment), else REDIS_PASSWORD or REDIS_PASS
 * of its environment; '' when it sets none. A password only in a mounted redis.conf is not
 * seen.
 */
export function redisPassword(service: ComposeService): string {
  const {argv, shell} = redisArgv(service)
  const flag = argv.findLastIndex((arg) => arg === '--requirepass')
  const inline = argv.findLast((arg) => arg.startsWith('--requirepass='))
  const given = flag !== -1 ? argv[flag + 1] : inline?.slice('--requirepass='.length)
  if (given !== undefined) return shell ? expandVariable(given, service) : given
  return service.environment.REDIS_PASSWORD ?? service.environment.REDIS_PASS ?? ''
}

/** `$VAR`/`${VAR}` of a shell script the container runs, from the service's environment. */
function expandVariable(word: string, service: ComposeService): string {
  const reference = /^\$(?:\{(\w+)\}|(\w+))$/.exec(word)
  if (!reference) return word
  const name = reference[1] ?? reference[2] ?? ''
  const value = service.environment[name]
  if (value === undefined) {
    throw new UserError(
      `cannot tell the password of the Compose Redis "${service.name}": its command passes --requirepass ${word}, and ${name} is not in its environment`,
      `set ${name} in the service's environment (or .env) so geniro-dev can read it`,
    )
  }
  return value
}

/** The command's words; a `sh -c` script's own words instead (the shell expands `$VAR`). */
function redisArgv(service: ComposeService): {argv: string[]; shell: boolean} {
  const argv = service.command ?? []
  const script = /(^|\/)(sh|bash|ash|dash|zsh)$/.test(argv[0] ?? '') ? argv.indexOf('-c') : -1
  return script === -1
    ? {argv, shell: false}
    : {argv: splitShellWords(argv[script + 1] ?? ''), shell: true}
}

/** How many databases the Compose Redis has (`--databases N` in its command), at most 16. */
export function redisDatabaseCount(service: ComposeService): number {
  const {argv} = redisArgv(service)
  const flag = argv.indexOf('--databases')
  const count = flag === -1 ? NaN : Number(argv[flag + 1])
  return Number.isInteger(count) && count > 0
    ? Math.min(count, REDIS_DATABASE_COUNT)
    : REDIS_DATABASE_COUNT
}

/** A Redis database some Compose service uses, and where that was seen. */
export interface RedisDatabaseUse {
  database: number
  where: string
}

const REDIS_URL = /\brediss?:\/\/[^\s"'`,;]*/gi
const DATABASE_VARIABLE = /(?:^|_)REDIS_(?:DB|DATABASE)$/i

/**
 * The Redis databases the Compose stack uses: 0 always (every client's default), the index of
 * each `redis://…/N` URL (or `?db=N`) and each REDIS_DB/REDIS_DATABASE variable in any
 * service's environment.
 */
export function redisDatabasesInUse(services: readonly ComposeService[]): RedisDatabaseUse[] {
  const uses: RedisDatabaseUse[] = [{database: 0, where: 'the default database of every client'}]
  for (const service of services) {
    for (const [key, value] of Object.entries(service.environment)) {
      const where = `${key} of Compose service "${service.name}"`
      if (DATABASE_VARIABLE.test(key) && /^\s*\d+\s*$/.test(value)) {
        uses.push({database: Number(value), where})
      }
      for (const [url] of value.matchAll(REDIS_URL)) {
        const database = urlDatabase(url)
        if (database !== undefined) uses.push({database, where})
      }
    }
  }
  return uses
}

function urlDatabase(url: string): number | undefined {
  const path = /^rediss?:\/\/[^/?#]*\/(\d+)/i.exec(url)?.[1]
  const query = /[?&]db=(\d+)/i.exec(url)?.[1]
  const index = query ?? path
  return index === undefined ? 0 : Number(index)
}

export interface RedisDatabaseInput {
  /** --redis-database; default DEFAULT_REDIS_DATABASE. */
  requested?: number
  inUse: readonly RedisDatabaseUse[]
  /** Databases the Compose Redis has (redisDatabaseCount). */
  count?: number
  service: string
}

/** The cluster's own logical database on the Compose Redis, never one the stack uses. */
export function planRedisDatabase(input: RedisDatabaseInput): number {
  const count = input.count ?? REDIS_DATABASE_COUNT
  const database = input.requested ?? DEFAULT_REDIS_DATABASE
  const taken = new Set(input.inUse.map((use) => use.database))
  const free = Array.from({length: count}, (_, index) => index).find((index) => !taken.has(index))
  const suggestion =
    free === undefined
      ? `the Compose Redis "${input.service}" has no free database: keep Redis in the cluster (drop --bridge-services redis)`
      : `pass --redis-database ${free} (a database the Compose stack does not use)`
  if (!Number.isInteger(database) || database < 0 || database >= count) {
    throw new UserError(
      `--redis-database ${database} is not a database of the Compose Redis "${input.service}" (0–${count - 1})`,
      suggestion,
    )
  }
  const uses = input.inUse.filter((use) => use.database === database)
  if (uses.length > 0) {
    throw new UserError(
      `Redis database ${database} belongs to the Compose stack (${uses.map((use) => use.where).join('; ')}); sharing it would mix the two stacks' keys`,
      suggestion,
    )
  }
  return database
}
