import type {ComposeService} from './compose-model.js'

/** The container port a Compose data service listens on, and what said so. */
export interface ListenPort {
  port: number
  /** `the default`, `PGPORT`, `its command (-p 5433)`… for messages. */
  source: string
}

interface ServerRule {
  /** The default port of the image. */
  port: number
  /** Server executables whose arguments are read (an entrypoint passes them on). */
  programs: string[]
  /** Variables that move the port, first wins: the official images' and Bitnami's. */
  env: string[]
  /** The port in one argument, or in an option and the word after it. */
  inline: RegExp
  separate: readonly string[]
  /** `-c port=N`: an option whose value is `name=value`. */
  setting?: {option: string; name: string}
}

const RULES: Record<'postgresql' | 'redis', ServerRule> = {
  // postgres(1): -p PORT, --port=PORT, -c port=PORT; PGPORT is the server's default too.
  postgresql: {
    port: 5432,
    programs: ['postgres', 'docker-entrypoint.sh'],
    env: ['PGPORT', 'POSTGRESQL_PORT_NUMBER'],
    inline: /^(?:-p|--port=)(\d+)$/,
    separate: ['-p'],
    setting: {option: '-c', name: 'port'},
  },
  // redis-server: --port PORT (also after a config file argument).
  redis: {
    port: 6379,
    programs: ['redis-server', 'docker-entrypoint.sh', 'valkey-server'],
    env: ['REDIS_PORT_NUMBER'],
    inline: /^--port=(\d+)$/,
    separate: ['--port'],
  },
}

/** Where shell commands end: what follows belongs to another program. */
const SEPARATORS = new Set(['&&', '||', ';', '|', '&'])

/**
 * The port PostgreSQL or Redis really listens on inside its container: its command's port
 * option (the image's entrypoint passes `command` on to the server, also when it starts with
 * an option), else the variables the images read, else the image's default. A command that is
 * a shell line (`sh -c "…"`) is read word by word.
 */
export function listenPort(
  service: Pick<ComposeService, 'command' | 'environment'>,
  role: 'postgresql' | 'redis',
): ListenPort {
  const rule = RULES[role]
  const fromCommand = portInCommand(service.command ?? [], rule)
  if (fromCommand) return fromCommand
  for (const name of rule.env) {
    const port = asPort(service.environment[name])
    if (port !== undefined) return {port, source: name}
  }
  return {port: rule.port, source: 'the default'}
}

function portInCommand(command: readonly string[], rule: ServerRule): ListenPort | undefined {
  const words = command.flatMap((word) => word.trim().split(/\s+/)).filter(Boolean)
  let reading = words[0]?.startsWith('-') ?? false
  let found: ListenPort | undefined
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (SEPARATORS.has(word)) {
      reading = false
      continue
    }
    const program = word.split('/').at(-1)!
    if (rule.programs.includes(program)) {
      reading = true
      continue
    }
    if (!reading) continue
    const next = words[i + 1]
    const option = rule.setting?.option
    // The option's value in the next word (`-p 5433`, `-c port=5433`) or in this one.
    const takesNext = rule.separate.includes(word) || word === option
    const value = takesNext
      ? word === option
        ? settingValue(next, rule.setting!.name)
        : next
      : (rule.inline.exec(word)?.[1] ??
        (option && word.startsWith(option)
          ? settingValue(word.slice(option.length), rule.setting!.name)
          : undefined))
    const port = asPort(value)
    // The last one wins, as a server reading its options does.
    if (port !== undefined)
      found = {port, source: `its command (${takesNext ? `${word} ${next}` : word})`}
  }
  return found
}

function settingValue(text: string | undefined, name: string): string | undefined {
  const match = /^([\w.]+)=(\d+)$/.exec(text ?? '')
  return match && match[1]!.toLowerCase() === name ? match[2] : undefined
}

function asPort(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text.trim())) return undefined
  const port = Number(text)
  return port >= 1 && port <= 65_535 ? port : undefined
}
