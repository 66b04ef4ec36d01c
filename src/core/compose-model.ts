/**
 * The Compose project as geniro-dev needs it: which ports each service publishes, what
 * image it runs, its environment and its volumes. Built from the Compose files' text the
 * way Docker Compose v2 resolves them (interpolation, .env, profiles, merged files, project
 * name), and checked against `docker compose config` in test/integration/compose-config.
 */
import {parseDocument} from 'yaml'
import {UserError} from './errors.js'

export type ComposeProtocol = 'tcp' | 'udp' | 'sctp'

export interface ComposePort {
  project: string
  service: string
  /** '' when unset (all addresses); IPv6 without brackets. */
  hostIp: string
  published: number
  /**
   * Set when one container port is published on a host range (`8000-8001:80`): the engine
   * binds one free port between `published` and this.
   */
  publishedRangeEnd?: number
  target: number
  protocol: ComposeProtocol
}

export type ServiceRole = 'postgresql' | 'redis' | 'qdrant' | 'litellm' | 'keycloak'

export interface ComposeEnvFile {
  /** Absolute path. */
  path: string
  required: boolean
}

export interface ComposeService {
  name: string
  image?: string
  role?: ServiceRole
  /** What the role was recognised by: the image wins over a well-known port. */
  roleBy?: 'image' | 'port'
  /** Published ports: the engine's when the project runs, else the files'. */
  ports: ComposePort[]
  /** The files' ports, beside runtime `ports` (a stopped service publishes nothing). */
  declaredPorts?: ComposePort[]
  /** Resolved: `environment` over `env_file`, unset pass-through variables left out. */
  environment: Record<string, string>
  /** `env_file` entries, to read and pass back as `envFileTexts` (see composeModel). */
  envFiles?: ComposeEnvFile[]
  /** The real container name (runtime). */
  containerName?: string
  /** running | exited | ... (runtime). */
  state?: string
  /** `source:target` of each mount with a source; bind sources are absolute. */
  volumes?: string[]
  profiles?: string[]
  /** `command`, as an argv (a string command is split as Compose splits it). */
  command?: string[]
}

export interface ComposeProject {
  name: string
  source: 'runtime' | 'file'
  workingDir: string
  files: string[]
  services: ComposeService[]
}

type Env = Record<string, string | undefined>

export interface ComposeModelOptions {
  /** Process environment merged over the project's `.env` (see compose-files). */
  env: Env
  /** `-p`. */
  projectName?: string
  /** The project directory: relative paths and the default project name come from it. */
  workingDir: string
  /** `--profile`; when empty, COMPOSE_PROFILES of `env`. `*` activates all. */
  profiles?: string[]
  /** Text of `env_file` files by absolute path; files not given here are left out. */
  envFileTexts?: Record<string, string>
}

// ---------------------------------------------------------------------------------------------
// Interpolation

const VARIABLE_NAME = /^[_a-z][_a-z0-9]*/i
const BRACED_EXPRESSION = /^([_a-z][_a-z0-9]*)(?:(:?[-?+])([\s\S]*))?$/i
const ESCAPE_HINT = 'Write a literal $ as $$'

/**
 * Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for `$`, nested in the
 * default/alternative. A `$` that starts none of these stays as it is, as in Compose.
 */
export function interpolate(text: string, env: Env): string {
  let result = ''
  let index = 0
  while (index < text.length) {
    const dollar = text.indexOf('$', index)
    if (dollar === -1) return result + text.slice(index)
    result += text.slice(index, dollar)
    const next = text[dollar + 1]
    if (next === '$') {
      result += '$'
      index = dollar + 2
    } else if (next === '{') {
      const close = closingBrace(text, dollar + 2)
      if (close === -1) throw invalidTemplate(text)
      result += substituteBraced(text.slice(dollar + 2, close), env, text)
      index = close + 1
    } else {
      const name = VARIABLE_NAME.exec(text.slice(dollar + 1))?.[0]
      result += name === undefined ? '$' : (lookup(env, name) ?? '')
      index = dollar + 1 + (name?.length ?? 0)
    }
  }
  return result
}

/** Index of the `}` closing a `${` whose body starts at `from`; braces nest, as in Compose. */
function closingBrace(text: string, from: number): number {
  let depth = 1
  for (let index = from; index < text.length; index++) {
    if (text[index] === '{') depth++
    else if (text[index] === '}' && --depth === 0) return index
  }
  return -1
}

function substituteBraced(body: string, env: Env, template: string): string {
  const match = BRACED_EXPRESSION.exec(body)
  if (!match) throw invalidTemplate(template)
  const [, name = '', operator, rawOperand = ''] = match
  const value = lookup(env, name)
  if (operator === undefined) return value ?? ''
  // Compose resolves the operand even when it is not used, so an error inside it surfaces.
  const operand = interpolate(rawOperand, env)
  const unset = value === undefined
  const empty = unset || value === ''
  switch (operator) {
    case ':-':
      return empty ? operand : value
    case '-':
      return unset ? operand : value
    case ':+':
      return empty ? '' : operand
    case '+':
      return unset ? '' : operand
    default: {
      // ':?' and '?'
      if (operator === ':?' ? empty : unset) {
        throw new UserError(
          `required variable ${name} is missing a value${operand ? `: ${operand}` : ''}`,
          `Set ${name} in the environment or in the project's .env file`,
        )
      }
      return value ?? ''
    }
  }
}

function invalidTemplate(template: string): UserError {
  return new UserError(`invalid interpolation format in ${JSON.stringify(template)}`, ESCAPE_HINT)
}

function lookup(env: Env, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined
}

// ---------------------------------------------------------------------------------------------
// .env files

/**
 * A `.env` or `env_file` file as Compose reads it: `KEY=value` or `KEY: value`, optional
 * `export `, `#` comments (inline only after whitespace in unquoted values), single quotes
 * literal, double quotes with escapes and variables, a bare `KEY` taken from `env`.
 * Variables resolve from `env` first, then from the keys above them in the file.
 */
export function parseDotEnv(text: string, env: Env = {}): Record<string, string> {
  const values: Record<string, string> = {}
  const resolve = (raw: string) => interpolate(raw, {...values, ...definedOnly(env)})
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  for (let index = 0; index < lines.length; index++) {
    // Not trimmed at the end: a quoted value may keep trailing spaces before its newline.
    const line = (lines[index] ?? '').trimStart()
    if (line.trim() === '' || line.startsWith('#')) continue
    const assignment = /^(?:export\s+)?([^=:\s]+)\s*([=:])?\s*([\s\S]*)$/.exec(line)
    if (!assignment) continue
    const [, key = '', separator, rest = ''] = assignment
    if (separator === undefined) {
      const inherited = lookup(env, key)
      if (inherited !== undefined) values[key] = inherited
      continue
    }
    const quote = rest[0]
    if (quote === '"' || quote === "'") {
      let quoted = rest.slice(1)
      // A quoted value may run over several lines.
      while (closingQuote(quoted, quote) === -1 && index + 1 < lines.length) {
        quoted += `\n${lines[++index] ?? ''}`
      }
      const end = closingQuote(quoted, quote)
      const inner = end === -1 ? quoted : quoted.slice(0, end)
      values[key] = quote === "'" ? inner.replace(/\\'/g, "'") : resolve(unescapeDouble(inner))
    } else {
      values[key] = resolve(rest.replace(/\s+#.*$/, '').trim())
    }
  }
  return values
}

function closingQuote(text: string, quote: string): number {
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index++
    else if (text[index] === quote) return index
  }
  return -1
}

function unescapeDouble(text: string): string {
  const escapes: Record<string, string> = {n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\'}
  return text.replace(/\\(.)/g, (whole, char: string) => escapes[char] ?? whole)
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

// ---------------------------------------------------------------------------------------------
// Ports

const PORT_HINT = 'Compose ports look like [HOST_IP:][HOST:]CONTAINER[/PROTOCOL], e.g. "5439:5432"'
const PROTOCOLS: readonly ComposeProtocol[] = ['tcp', 'udp', 'sctp']

interface PortRange {
  start: number
  end: number
}

interface PortMapping {
  hostIp: string
  /** Undefined: no host port given, so none that we can know. */
  host?: PortRange
  container: PortRange
  protocol: ComposeProtocol
}

/**
 * One `ports:` entry, short (`[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`, ranges, `[::1]:…`) or
 * long (`{target, published, host_ip, protocol, mode}`), as one ComposePort per published
 * port. Entries without a known host port (`5432`, `127.0.0.1::5432`, `0:5432`) publish on
 * a port the engine picks, so they are left out.
 */
export function parsePortSpec(
  spec: unknown,
  ctx: {project: string; service: string},
): ComposePort[] {
  const mapping =
    typeof spec === 'string' || typeof spec === 'number'
      ? shortPortMapping(String(spec), ctx.service)
      : longPortMapping(spec, ctx.service)
  return publishedPorts(mapping, ctx)
}

function shortPortMapping(spec: string, service: string): PortMapping {
  const fail = (reason: string) => invalidPort(service, spec, reason)
  const [address = '', protocolPart] = spec.split('/')
  const parts = address.split(':')
  const containerPart = parts.pop() ?? ''
  const hostPart = parts.pop() ?? ''
  const hostIp = parseHostIp(parts.join(':'), fail, 'short')
  if (containerPart === '') throw fail('no container port')
  const container = parsePortRange(containerPart)
  if (!container) throw fail(`invalid container port "${containerPart}"`)
  let host: PortRange | undefined
  if (hostPart !== '') {
    host = parsePortRange(hostPart)
    if (!host) throw fail(`invalid host port "${hostPart}"`)
    const containerIsRange = container.end !== container.start
    if (containerIsRange && host.end - host.start !== container.end - container.start) {
      throw fail('the host and container port ranges differ in length')
    }
  }
  return {hostIp, host, container, protocol: parseProtocol(protocolPart || 'tcp', fail)}
}

function longPortMapping(spec: unknown, service: string): PortMapping {
  const shown = JSON.stringify(spec) ?? String(spec)
  const fail = (reason: string) => invalidPort(service, shown, reason)
  if (!isMapping(spec)) throw fail('a port is a string, a number or a mapping')
  const {target, published, host_ip: hostIp = '', protocol = 'tcp'} = spec
  if (target === undefined || target === null) throw fail('missing a target port')
  const containerPort =
    typeof target === 'number' || typeof target === 'string'
      ? parsePortNumber(String(target))
      : undefined
  if (containerPort === undefined) throw fail(`invalid target port "${String(target)}"`)
  let host: PortRange | undefined
  if (published !== undefined && published !== null && published !== '') {
    host = parsePortRange(String(published))
    if (!host) throw fail(`invalid published port "${String(published)}"`)
  }
  if (typeof hostIp !== 'string') throw fail('host_ip must be a string')
  if (typeof protocol !== 'string') throw fail('protocol must be a string')
  return {
    hostIp: parseHostIp(hostIp, fail, 'long'),
    host,
    container: {start: containerPort, end: containerPort},
    protocol: parseProtocol(protocol, fail),
  }
}

function publishedPorts(
  mapping: PortMapping,
  ctx: {project: string; service: string},
): ComposePort[] {
  const {host, container, hostIp, protocol} = mapping
  if (!host) return []
  const port = (published: number, target: number): ComposePort => ({
    project: ctx.project,
    service: ctx.service,
    hostIp,
    published,
    target,
    protocol,
  })
  if (container.start === container.end && host.end !== host.start) {
    return [{...port(host.start, container.start), publishedRangeEnd: host.end}]
  }
  return (
    Array.from({length: container.end - container.start + 1}, (_, offset) =>
      port(host.start + offset, container.start + offset),
    )
      // Host port 0 asks the engine for a free port: published, but not where we can know.
      .filter((mapped) => mapped.published !== 0)
  )
}

function parsePortRange(text: string): PortRange | undefined {
  const [first = '', last, ...extra] = text.split('-')
  if (extra.length > 0) return undefined
  const start = parsePortNumber(first)
  const end = last === undefined ? start : parsePortNumber(last)
  if (start === undefined || end === undefined || end < start) return undefined
  return {start, end}
}

function parsePortNumber(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port <= 65535 ? port : undefined
}

/**
 * A host IP, `''` when unset. In the short syntax an IPv6 address needs brackets, since
 * `::1:6001:6001` cannot be told apart from HOST:CONTAINER; Compose refuses it too.
 */
function parseHostIp(
  text: string,
  fail: (reason: string) => UserError,
  syntax: 'short' | 'long',
): string {
  if (text === '') return ''
  const bracketed = /^\[(.*)\]$/.exec(text)
  const address = bracketed ? (bracketed[1] ?? '') : text
  if (syntax === 'short' && !bracketed && address.includes(':')) {
    throw fail(`write the IPv6 host IP in brackets, [${text}]`)
  }
  if (!isIpAddress(address)) throw fail(`invalid host IP "${text}"`)
  return address
}

function parseProtocol(text: string, fail: (reason: string) => UserError): ComposeProtocol {
  const protocol = text.toLowerCase() as ComposeProtocol
  if (!PROTOCOLS.includes(protocol)) throw fail(`invalid protocol "${text}"`)
  return protocol
}

function invalidPort(service: string, spec: string, reason: string): UserError {
  return new UserError(`service "${service}" has an invalid port ${spec}: ${reason}`, PORT_HINT)
}

/** Whether `text` is an IPv4 or IPv6 address (no zone), as Go's net.ParseIP reads them. */
export function isIpAddress(text: string): boolean {
  if (isIpv4(text)) return true
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')))
  const all = groups.flat()
  const last = all.at(-1)
  const hasIpv4Tail = last !== undefined && last.includes('.')
  if (hasIpv4Tail && !isIpv4(last)) return false
  const hexGroups = hasIpv4Tail ? all.slice(0, -1) : all
  if (!hexGroups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false
  const width = hexGroups.length + (hasIpv4Tail ? 2 : 0)
  return halves.length === 2 ? width < 8 : width === 8
}

function isIpv4(text: string): boolean {
  const octets = text.split('.')
  return (
    octets.length === 4 && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  )
}

function portKey(port: ComposePort): string {
  const {hostIp, published, publishedRangeEnd, target, protocol} = port
  return [hostIp, published, publishedRangeEnd ?? '', target, protocol].join('|')
}

/** The ports once each, first occurrence first. */
export function uniquePorts(ports: readonly ComposePort[]): ComposePort[] {
  const seen = new Map<string, ComposePort>()
  for (const port of ports) if (!seen.has(portKey(port))) seen.set(portKey(port), port)
  return [...seen.values()]
}

// ---------------------------------------------------------------------------------------------
// The model

/** One file's contribution to one service, merged over the files before it. */
interface ServiceLayer {
  image?: string
  profiles?: string[]
  ports: ComposePort[]
  /** null: pass through from the environment. */
  environment: Record<string, string | null>
  envFiles: ComposeEnvFile[]
  volumes: Array<{source: string; target: string}>
  command?: string[]
  extends?: string
}

interface ComposeFileDocument {
  path: string
  name?: string
  /** null: a service declared without keys (`db:`). */
  services: Record<string, Record<string, unknown> | null>
}

/**
 * The project that `docker compose config` would resolve from these files (in -f order),
 * reduced to what geniro-dev uses. Throws UserError naming the file for YAML errors,
 * missing required variables and invalid ports.
 */
export function composeModel(
  files: ReadonlyArray<{path: string; text: string}>,
  options: ComposeModelOptions,
): ComposeProject {
  if (files.length === 0) throw new UserError('no Compose file given')
  const documents = files.map((file) => readComposeFile(file, options.env))
  const name = projectName({
    flag: options.projectName,
    env: options.env.COMPOSE_PROJECT_NAME,
    file: documents.findLast((document) => document.name)?.name,
    workingDir: options.workingDir,
  })
  const layers = new Map<string, ServiceLayer>()
  for (const document of documents) {
    for (const [service, definition] of Object.entries(document.services)) {
      const layer = inFile(document.path, () =>
        serviceLayer(definition, {project: name, service}, options),
      )
      const before = layers.get(service)
      layers.set(service, before ? mergeLayers(before, layer) : layer)
    }
  }
  const active = activeProfiles(options)
  const services: ComposeService[] = []
  for (const service of layers.keys()) {
    const resolved = resolveExtends(service, layers)
    if (!isActive(resolved.profiles, active)) continue
    services.push(composeService(service, resolved, options))
  }
  return {
    name,
    source: 'file',
    workingDir: options.workingDir,
    files: files.map((file) => file.path),
    services,
  }
}

function readComposeFile(file: {path: string; text: string}, env: Env): ComposeFileDocument {
  const document = parseDocument(file.text, {merge: true, prettyErrors: true})
  const error = document.errors[0]
  if (error) {
    const line = error.linePos?.[0].line
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')
    throw new UserError(
      `${file.path}${line === undefined ? '' : ` line ${line}`}: ${reason}`,
      'Fix the YAML of the Compose file',
    )
  }
  let raw: unknown
  try {
    raw = document.toJS({maxAliasCount: 10_000})
  } catch (error) {
    // The yaml package refuses an alias bomb (a few lines expanding to billions of nodes).
    if (!(error instanceof ReferenceError)) throw error
    throw new UserError(
      `${file.path}: ${error.message}`,
      'a Compose file with that many aliases is a resource-exhaustion attack, not a stack: check where it came from',
    )
  }
  if (raw === null || raw === undefined) {
    throw new UserError(`${file.path}: empty compose file`, 'Define at least `services:`')
  }
  if (!isMapping(raw)) throw new UserError(`${file.path}: the top level must be a mapping`)
  const content = inFile(file.path, () => interpolateValues(raw, env, '')) as Record<
    string,
    unknown
  >
  const services = content.services ?? {}
  if (!isMapping(services)) throw new UserError(`${file.path}: services must be a mapping`)
  for (const [service, definition] of Object.entries(services)) {
    if (!isMapping(definition ?? {})) {
      throw new UserError(`${file.path}: services.${service} must be a mapping`)
    }
  }
  const name = content.name
  return {
    path: file.path,
    name: typeof name === 'string' && name !== '' ? name : undefined,
    services: services as ComposeFileDocument['services'],
  }
}

/** Compose interpolates every value of the file (keys stay as written). */
function interpolateValues(value: unknown, env: Env, at: string): unknown {
  if (typeof value === 'string') {
    try {
      return interpolate(value, env)
    } catch (error) {
      if (error instanceof UserError && at) {
        throw new UserError(`${at}: ${error.message}`, error.hint)
      }
      throw error
    }
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateValues(item, env, `${at}[${index}]`))
  }
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateValues(item, env, at ? `${at}.${key}` : key),
      ]),
    )
  }
  return value
}

/** Runs `read`, naming `path` in the UserError it throws. */
function inFile<T>(path: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof UserError && !error.message.startsWith(path)) {
      throw new UserError(`${path}: ${error.message}`, error.hint)
    }
    throw error
  }
}

function serviceLayer(
  definition: Record<string, unknown> | null,
  ctx: {project: string; service: string},
  options: ComposeModelOptions,
): ServiceLayer {
  const spec = definition ?? {}
  const ports = listOf(spec.ports, `services.${ctx.service}.ports`)
  const profiles = listOf(spec.profiles, `services.${ctx.service}.profiles`)
  return {
    image: typeof spec.image === 'string' ? spec.image : undefined,
    profiles: spec.profiles === undefined ? undefined : profiles.map(String),
    ports: uniquePorts(ports.flatMap((port) => parsePortSpec(port, ctx))),
    environment: environmentEntries(spec.environment, ctx.service),
    envFiles: envFileEntries(spec.env_file, options),
    volumes: listOf(spec.volumes, `services.${ctx.service}.volumes`).flatMap((volume) =>
      mountOf(volume, options),
    ),
    command: commandOf(spec.command),
    extends: extendedService(spec.extends),
  }
}

/** `command:` as an argv: a list as it is, a string split as a POSIX shell splits words. */
function commandOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String)
  return typeof value === 'string' ? splitShellWords(value) : undefined
}

/** Words of a command line as a POSIX shell splits them (quotes and backslashes removed). */
export function splitShellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quote: string | undefined
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? ''
    if (quote) {
      if (char === quote) quote = undefined
      else if (char === '\\' && quote === '"' && /["\\$`]/.test(text[index + 1] ?? '')) {
        word = (word ?? '') + text[++index]
      } else word = (word ?? '') + char
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (char === '"' || char === "'") {
      quote = char
      word ??= ''
    } else if (char === '\\' && index + 1 < text.length) {
      word = (word ?? '') + text[++index]
    } else word = (word ?? '') + char
  }
  if (word !== undefined) words.push(word)
  return words
}

function listOf(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new UserError(`${at} must be a list`)
  return value
}

function environmentEntries(value: unknown, service: string): Record<string, string | null> {
  const entries: Record<string, string | null> = {}
  if (value === undefined || value === null) return entries
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item)
      const equals = text.indexOf('=')
      if (equals === -1) entries[text] = null
      else entries[text.slice(0, equals)] = text.slice(equals + 1)
    }
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) {
      entries[key] = item === null || item === undefined ? null : String(item)
    }
  } else {
    throw new UserError(`services.${service}.environment must be a list or a mapping`)
  }
  return entries
}

function envFileEntries(value: unknown, options: ComposeModelOptions): ComposeEnvFile[] {
  if (value === undefined || value === null) return []
  const items = Array.isArray(value) ? value : [value]
  return items.flatMap((item): ComposeEnvFile[] => {
    if (typeof item === 'string') {
      return [{path: hostPath(item, options), required: true}]
    }
    if (isMapping(item) && typeof item.path === 'string') {
      return [{path: hostPath(item.path, options), required: item.required !== false}]
    }
    return []
  })
}

/** A volume with a source, short (`src:dst[:mode]`) or long syntax; anonymous ones are skipped. */
function mountOf(volume: unknown, options: ComposeModelOptions): ServiceLayer['volumes'] {
  let source: string | undefined
  let target: string | undefined
  let bind = false
  if (typeof volume === 'string') {
    const parts = volume.split(':')
    // `/data` and `/data:ro` are anonymous volumes.
    if (parts.length >= 3 || (parts.length === 2 && parts[1]?.startsWith('/'))) {
      ;[source, target] = parts
    }
  } else if (isMapping(volume)) {
    if (typeof volume.source === 'string') source = volume.source
    if (typeof volume.target === 'string') target = volume.target
    bind = volume.type === 'bind'
  }
  if (!source || !target) return []
  if (bind || /^[./~]/.test(source)) source = hostPath(source, options)
  return [{source, target}]
}

/** A host path from the file: `~` is HOME, relative paths are under the project directory. */
function hostPath(path: string, options: ComposeModelOptions): string {
  if (path === '~' || path.startsWith('~/')) {
    return joinPath(options.env.HOME ?? '~', path.slice(2))
  }
  return path.startsWith('/') ? joinPath(path) : joinPath(options.workingDir, path)
}

/** POSIX path join and normalisation (src/core has no node:path). */
function joinPath(...parts: string[]): string {
  const absolute = parts[0]?.startsWith('/') ?? false
  const segments: string[] = []
  for (const segment of parts.join('/').split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (segments.length > 0 && segments.at(-1) !== '..') segments.pop()
      else if (!absolute) segments.push('..')
    } else segments.push(segment)
  }
  return (absolute ? '/' : '') + segments.join('/')
}

function extendedService(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  // `extends.file` names another file, which this pure model does not read.
  if (isMapping(value) && typeof value.service === 'string' && value.file === undefined) {
    return value.service
  }
  return undefined
}

/** Compose's merge of a later file (or an extending service) over an earlier one. */
function mergeLayers(base: ServiceLayer, over: ServiceLayer): ServiceLayer {
  const volumes = new Map(base.volumes.map((volume) => [volume.target, volume]))
  for (const volume of over.volumes) volumes.set(volume.target, volume)
  return {
    image: over.image ?? base.image,
    profiles: over.profiles ?? base.profiles,
    ports: uniquePorts([...base.ports, ...over.ports]),
    environment: {...base.environment, ...over.environment},
    envFiles: [
      ...base.envFiles.filter((file) => !over.envFiles.some((o) => o.path === file.path)),
      ...over.envFiles,
    ],
    volumes: [...volumes.values()],
    command: over.command ?? base.command,
    extends: over.extends ?? base.extends,
  }
}

function resolveExtends(
  service: string,
  layers: ReadonlyMap<string, ServiceLayer>,
  seen: readonly string[] = [],
): ServiceLayer {
  const layer = layers.get(service)
  if (!layer) throw new UserError(`service "${seen.at(-1)}" extends unknown service "${service}"`)
  if (layer.extends === undefined) return layer
  if (seen.includes(service)) {
    throw new UserError(`services extend each other in a loop: ${[...seen, service].join(' → ')}`)
  }
  const base = resolveExtends(layer.extends, layers, [...seen, service])
  // Inherited ports now belong to the extending service.
  const ports = base.ports.map((port) => ({...port, service}))
  return {...mergeLayers({...base, ports}, layer), extends: undefined}
}

function activeProfiles(options: ComposeModelOptions): string[] {
  if (options.profiles && options.profiles.length > 0) return options.profiles
  return (options.env.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((profile) => profile.trim())
    .filter(Boolean)
}

function isActive(profiles: readonly string[] | undefined, active: readonly string[]): boolean {
  if (!profiles || profiles.length === 0) return true
  return active.includes('*') || profiles.some((profile) => active.includes(profile))
}

function composeService(
  name: string,
  layer: ServiceLayer,
  options: ComposeModelOptions,
): ComposeService {
  const service: ComposeService = {
    name,
    ports: layer.ports,
    environment: resolveEnvironment(layer, options),
  }
  if (layer.image !== undefined) service.image = layer.image
  if (layer.envFiles.length > 0) service.envFiles = layer.envFiles
  if (layer.volumes.length > 0) {
    service.volumes = layer.volumes.map(({source, target}) => `${source}:${target}`)
  }
  if (layer.profiles) service.profiles = layer.profiles
  if (layer.command) service.command = layer.command
  return withRole(service)
}

/** `environment` over the `env_file` files; a bare `KEY` takes the project environment's. */
function resolveEnvironment(
  layer: ServiceLayer,
  options: ComposeModelOptions,
): Record<string, string> {
  const resolved: Record<string, string> = {}
  for (const file of layer.envFiles) {
    const text = options.envFileTexts?.[file.path]
    if (text !== undefined) Object.assign(resolved, parseDotEnv(text, options.env))
  }
  for (const [key, value] of Object.entries(layer.environment)) {
    const effective = value ?? lookup(options.env, key)
    if (effective === undefined) delete resolved[key]
    else resolved[key] = effective
  }
  return resolved
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// ---------------------------------------------------------------------------------------------
// Project name

const VALID_PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/

/** `-p` > COMPOSE_PROJECT_NAME > `name:` > directory name, as Compose v2 picks it. */
export function projectName(sources: {
  flag?: string
  env?: string
  file?: string
  workingDir: string
}): string {
  for (const [given, origin] of [
    [sources.flag, '-p'],
    [sources.env, 'COMPOSE_PROJECT_NAME'],
  ] as const) {
    if (!given) continue
    // Compose refuses rather than normalises what the user typed.
    if (!VALID_PROJECT_NAME.test(given)) {
      throw new UserError(
        `invalid Compose project name "${given}" (from ${origin})`,
        'Use lowercase letters, digits, "-" and "_", starting with a letter or a digit',
      )
    }
    return given
  }
  const fromFile = sources.file ? normalizeProjectName(sources.file) : ''
  const name = fromFile || normalizeProjectName(baseName(sources.workingDir))
  if (!name) {
    throw new UserError(
      'the Compose project name is empty',
      'Pass -p NAME or set `name:` in the Compose file',
    )
  }
  return name
}

/** Compose's normalisation of `name:` and directory names. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-_a-z0-9]+/g, '')
    .replace(/^[-_]+/, '')
}

function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').at(-1) ?? ''
}

// ---------------------------------------------------------------------------------------------
// Roles

const ROLE_LABELS: Record<ServiceRole, string> = {
  postgresql: 'PostgreSQL',
  redis: 'Redis',
  qdrant: 'Qdrant',
  litellm: 'LiteLLM',
  keycloak: 'Keycloak',
}

/** Image names (the last path segment, without registry or tag) of each role. */
const ROLE_IMAGES: ReadonlyArray<[ServiceRole, RegExp]> = [
  [
    'postgresql',
    /^(postgres|postgresql|postgresql-repmgr|postgis|pgvector|pgvecto-rs|timescaledb(-ha|-postgis)?|paradedb)$/,
  ],
  ['redis', /^(redis|redis-stack|redis-stack-server|valkey|keydb)$/],
  ['qdrant', /^qdrant$/],
  ['litellm', /^litellm(-database|-non_root)?$/],
  ['keycloak', /^keycloak$/],
]

/** Container ports that give a role away when the image does not. */
const ROLE_PORTS: ReadonlyArray<[ServiceRole, number]> = [
  ['postgresql', 5432],
  ['redis', 6379],
  ['qdrant', 6333],
  ['litellm', 4000],
]

/** The repository's last segment: `ghcr.io/berriai/litellm:main` → `litellm`. */
export function imageName(image: string): string {
  const withoutDigest = image.split('@')[0] ?? ''
  const lastSegment = withoutDigest.split('/').at(-1) ?? ''
  return lastSegment.split(':')[0]?.toLowerCase() ?? ''
}

export function serviceRole(service: {
  image?: string
  ports: readonly ComposePort[]
}): ServiceRole | undefined {
  return recogniseRole(service)?.role
}

function recogniseRole(service: {
  image?: string
  ports: readonly ComposePort[]
}): {role: ServiceRole; by: 'image' | 'port'} | undefined {
  if (service.image) {
    const name = imageName(service.image)
    const byImage = ROLE_IMAGES.find(([, pattern]) => pattern.test(name))?.[0]
    if (byImage) return {role: byImage, by: 'image'}
  }
  for (const port of service.ports) {
    const byPort = ROLE_PORTS.find(([, target]) => target === port.target)?.[0]
    if (byPort) return {role: byPort, by: 'port'}
  }
  return undefined
}

/** The service with its role (and what gave it away) filled in from its image and ports. */
export function withRole<T extends ComposeService>(service: T): T {
  const recognised = recogniseRole({
    image: service.image,
    ports: [...service.ports, ...(service.declaredPorts ?? [])],
  })
  const result = {...service}
  delete result.role
  delete result.roleBy
  if (recognised) Object.assign(result, {role: recognised.role, roleBy: recognised.by})
  return result
}

/**
 * The one service playing `role`, or the one named by `override` (--compose-service). An
 * image match beats a port match; otherwise more than one candidate is ambiguous.
 */
export function findServiceByRole(
  project: ComposeProject,
  role: ServiceRole,
  override?: string,
): ComposeService {
  const label = ROLE_LABELS[role]
  const names = project.services.map((service) => service.name)
  if (override !== undefined) {
    const chosen = project.services.find((service) => service.name === override)
    if (chosen) return chosen
    throw new UserError(
      `Compose project "${project.name}" has no service "${override}"`,
      `Its services: ${names.join(', ') || 'none'}`,
    )
  }
  const candidates = project.services.filter((service) => service.role === role)
  const byImage = candidates.filter((service) => service.roleBy === 'image')
  const preferred = byImage.length > 0 ? byImage : candidates
  if (preferred.length === 1 && preferred[0]) return preferred[0]
  if (preferred.length === 0) {
    throw new UserError(
      `no ${label} service found in Compose project "${project.name}"`,
      `Pass --compose-service NAME to pick one of: ${names.join(', ') || 'no services'}`,
    )
  }
  throw new UserError(
    `more than one ${label} service in Compose project "${project.name}": ${preferred
      .map((service) => service.name)
      .join(', ')}`,
    'Pass --compose-service NAME to pick one',
  )
}
