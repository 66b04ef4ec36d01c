/**
 * listr2's task list in a real terminal: `up` runs inside tmux (a real pseudo-terminal, so
 * listr2 draws and redraws in place), and the screen is read back with capture-pane. A broken
 * redraw shows as a step title on several lines or a spinner frame left on the screen. The
 * failure case checks the step is marked failed, the message is shown once and the log it names
 * is readable. Against the fakes of test/fakes, as the other e2e tests.
 */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'
import {shellQuote} from '../../src/core/shell-quote.js'
import {fakeEnvironment, type FakeEnvironment} from '../support/fake-env.js'
import {waitFor} from '../support/processes.js'
import {BIN, runCli} from '../support/run-cli.js'

const SOCKET = `gdev-terminal-${randomBytes(4).toString('hex')}`
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/
/** An escape character, or a control sequence whose escape was lost. */
const CONTROL = new RegExp(String.raw`\u001b|\[\d+[A-Z]`)
let environment: FakeEnvironment
let session = 0

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * Runs geniro-dev in a new 100×40 tmux window with only the fake environment (no CI
 * variable: listr2 draws as it does for a person), and returns the screen and its scrollback
 * once the command has exited.
 */
async function inTerminal(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{screen: string; exitCode: number}> {
  const name = `run${session++}`
  const env = {...environment.env, TERM: 'tmux-256color', LANG: 'C.UTF-8', ...extraEnv}
  const command = [
    'env',
    '-i',
    ...Object.entries(env).map(([key, value]) => shellQuote(`${key}=${value}`)),
    shellQuote(process.execPath),
    shellQuote(BIN),
    ...args.map(shellQuote),
  ].join(' ')
  // The shell prints the exit code after the CLI, then waits so the pane can be read.
  const script = `${command}; echo "__EXIT=$?"; sleep 600`
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '40', 'sh', '-c', script)
  const capture = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', name)
  let screen = ''
  await waitFor(() => /__EXIT=\d+/.test((screen = capture())), 90_000)
  tmux('kill-session', '-t', name)
  const exitCode = Number(/__EXIT=(\d+)/.exec(screen)?.[1])
  return {screen: screen.replace(/\n*__EXIT=\d+\n*$/s, '\n').trimEnd(), exitCode}
}

/** The lines of the screen that carry a given step title. */
const linesWith = (screen: string, text: string) =>
  screen.split('\n').filter((line) => line.includes(text))

beforeAll(() => {
  environment = fakeEnvironment({helm: 'helm4', dockerHost: inject('dockerHost')})
})

afterAll(() => {
  try {
    tmux('kill-server')
  } catch {
    // No session left: the server is gone already.
  }
  environment?.cleanup()
})

describe('the task list in a real terminal (tmux)', () => {
  it('draws each step once, finished with a tick, and leaves no spinner behind', async () => {
    const {screen, exitCode} = await inTerminal(['up', '--no-forward'])
    expect(exitCode, screen).toBe(0)
    const steps = screen.split('\n').filter((line) => /^\s*[✔✖↓]/.test(line))
    expect(steps.length, screen).toBeGreaterThanOrEqual(3)
    for (const line of steps) {
      const title = line.replace(/^\s*[✔✖↓]\s*/, '').replace(/\s*\[[^\]]*\]$/, '')
      expect(linesWith(screen, title), `"${title}" drawn more than once:\n${screen}`).toHaveLength(
        1,
      )
    }
    expect(steps.filter((line) => line.includes('✖'))).toEqual([])
    expect(screen).not.toMatch(SPINNER)
    // Nothing of the terminal's control sequences is left as text.
    expect(screen).not.toMatch(CONTROL)
  })

  it('a failed step: marked failed, its message shown once, the log it names readable', async () => {
    environment.failRelease({component: 'api', reason: 'CrashLoopBackOff', message: 'back-off'})
    try {
      const {screen, exitCode} = await inTerminal(['up', '--no-forward', '--force-upgrade'], {
        GENIRO_FAKE_HELM_WAIT_MS: '100',
      })
      expect(exitCode, screen).toBe(5)
      const failed = screen.split('\n').filter((line) => /^\s*✖/.test(line))
      expect(failed, screen).toHaveLength(1)
      expect(linesWith(screen, 'Error: the release was not ready within --timeout')).toHaveLength(1)
      expect(screen).not.toMatch(SPINNER)
      const log = /Full output: (\S+)/.exec(screen)?.[1]
      expect(log, screen).toBeDefined()
      expect(existsSync(log!)).toBe(true)
      expect(readFileSync(log!, 'utf8')).toContain('context deadline exceeded')
      rmSync(log!, {force: true})
    } finally {
      environment.failRelease(null)
    }
  })
})

describe('the task list without a terminal', () => {
  it('prints plain lines, no control sequences, with CI set', async () => {
    const run = await runCli(['up', '--no-forward', '--force-upgrade'], {
      ...environment.env,
      CI: 'true',
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr + run.stdout).not.toMatch(CONTROL)
    expect(run.stderr + run.stdout).not.toMatch(SPINNER)
    // Each step: one line when it starts, one when it ends, nothing redrawn.
    const started = run.stderr.split('\n').filter((line) => line.startsWith('❯ '))
    const finished = run.stderr.split('\n').filter((line) => /^[✔↓] /.test(line))
    expect(started.length, run.stderr).toBeGreaterThanOrEqual(2)
    const titles = (lines: string[]) => lines.map((line) => line.slice(2).replace(/ \[.*\]$/, ''))
    expect(titles(finished)).toEqual(titles(started))
    // A skipped step names why once, without its title again.
    for (const line of finished) expect(line.split(titles([line])[0]!)).toHaveLength(2)
  })
})
