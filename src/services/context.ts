import type {Toolbox} from './toolbox.js'

/**
 * What a command hands its service: the outside world (`tools`: the adapters over one exec,
 * and the host's ports), Ctrl-C, and the user's side of the conversation. Each service takes
 * the part it uses; test/services passes one over the memory toolbox.
 */
export interface ServiceContext {
  tools: Toolbox
  signal: AbortSignal
  /** No progress output (under --json). */
  silent: boolean
  /** Asks the user; resolves false when nobody can answer (no TTY): pass --yes then. */
  confirm: (question: string) => Promise<boolean>
  /** Where the human-readable lines go (stderr). */
  note: (line: string) => void
}
