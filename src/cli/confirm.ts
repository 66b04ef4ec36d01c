import {createInterface} from 'node:readline/promises'

/**
 * Asks a yes/no question on the terminal. Without a terminal (CI, pipes) or under --json
 * nobody can answer: the answer is no, and the caller's hint says to pass --yes.
 */
export async function confirm(
  question: string,
  options: {yes: boolean; json: boolean},
): Promise<boolean> {
  if (options.yes) return true
  if (options.json || !process.stdin.isTTY || !process.stderr.isTTY) return false
  const prompt = createInterface({input: process.stdin, output: process.stderr})
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
  } finally {
    prompt.close()
  }
}
