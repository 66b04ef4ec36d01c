// Types of failures.mjs, for the TypeScript tests that read its texts.
export interface FailureCall {
  argv: string[]
  flag(name: string): string | undefined
}

export interface ReplayedFailure {
  code: number
  stdout?: string
  stderr: string
}

export const FAILURES: Record<string, (call: FailureCall) => ReplayedFailure>

export function replayFailure(tool: string, argv: string[]): void
