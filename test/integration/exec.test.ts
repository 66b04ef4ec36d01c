import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {createExec, exec} from '../../src/adapters/exec.js'
import {
  InterruptedError,
  TimeoutError,
  ToolFailedError,
  ToolNotFoundError,
} from '../../src/core/errors.js'
import {shellQuote} from '../../src/core/shell-quote.js'

/** Running, and not a zombie waiting for its (re)parent to reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50))
}

describe('the exec seam', () => {
  it('returns stdout, stderr and the exit code of a real process', async () => {
    const result = await exec('sh', ['-c', 'echo out; echo err >&2'])
    expect(result).toEqual({
      command: "sh -c 'echo out; echo err >&2'",
      exitCode: 0,
      stdout: 'out',
      stderr: 'err',
    })
  })

  it('passes input and environment', async () => {
    const result = await exec('sh', ['-c', 'read line; echo "$line $GREETING"'], {
      input: 'hello\n',
      env: {GREETING: 'world'},
    })
    expect(result.stdout).toBe('hello world')
  })

  it('turns a non-zero exit into ToolFailedError naming the command, code and stderr tail', async () => {
    const script = 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" >&2; done; exit 3'
    const error = await exec('sh', ['-c', script], {hint: 'try again'}).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ToolFailedError)
    const failed = error as ToolFailedError
    expect(failed.commandExitCode).toBe(3)
    expect(failed.command).toContain('sh -c')
    expect(failed.stderrTail).toBe(
      'line 3 | line 4 | line 5 | line 6 | line 7 | line 8 | line 9 | line 10',
    )
    expect(failed.hint).toBe('try again')
  })

  it('accepts exit codes that are answers', async () => {
    await expect(exec('sh', ['-c', 'exit 1'], {okExitCodes: [1]})).resolves.toMatchObject({
      exitCode: 1,
    })
  })

  it('reports a missing tool with its install hint', async () => {
    const error = await exec('helm', ['version'], {env: {PATH: '/nonexistent'}}).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ToolNotFoundError)
    expect((error as ToolNotFoundError).message).toBe('helm is not installed or not on PATH')
    expect((error as ToolNotFoundError).hint).toContain('helm.sh')
  })

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-exec-'))
    const pidFile = join(dir, 'grandchild.pid')
    const started = Date.now()
    const error = await exec('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
      timeoutMs: 500,
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(Date.now() - started).toBeLessThan(10_000)
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    await waitFor(() => !alive(grandchild))
    expect(alive(grandchild)).toBe(false)
  })

  it('kills the process group when cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gdev-exec-'))
    const pidFile = join(dir, 'grandchild.pid')
    const controller = new AbortController()
    const running = exec('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
      signal: controller.signal,
    })
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')
    controller.abort()
    await expect(running).rejects.toBeInstanceOf(InterruptedError)
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    await waitFor(() => !alive(grandchild))
    expect(alive(grandchild)).toBe(false)
  })

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(exec('true', [], {signal: controller.signal})).rejects.toBeInstanceOf(
      InterruptedError,
    )
  })
})

describe('--debug: the exec seam prints each command line (execa verbose)', () => {
  afterEach(() => vi.restoreAllMocks())

  /** What execa's verbose mode wrote (it writes with console.warn). */
  function capturedWarnings(): string[] {
    const lines: string[] = []
    vi.spyOn(console, 'warn').mockImplementation((text: unknown) => void lines.push(String(text)))
    return lines
  }

  it('shows the command with --set values redacted and how it ended, never the output', async () => {
    const lines = capturedWarnings()
    const debugExec = createExec({debug: true})
    const script = 'n=7; echo "printed-$n"; echo "printed-$n-too" >&2'
    await debugExec('sh', ['-c', script, 'sh', '--set', 'secrets.key=hush', '--token=hush2'])
    await debugExec('sh', ['-c', 'exit 3'], {okExitCodes: [3]})
    await debugExec('sh', ['-c', 'exit 4']).catch(() => undefined)
    expect(lines[0]).toBe(`[debug] $ sh -c ${shellQuote(script)} sh --set '***' '--token=***'`)
    expect(lines[1]).toMatch(/^\[debug\] {3}exit 0 after \d+ ms: sh -c /)
    expect(lines.filter((line) => line.startsWith('[debug] $ '))).toEqual([
      expect.stringContaining('sh -c'),
      "[debug] $ sh -c 'exit 3'",
      "[debug] $ sh -c 'exit 4'",
    ])
    expect(lines[3]).toMatch(/^\[debug\] {3}exit 3 after \d+ ms: sh -c 'exit 3'$/)
    expect(lines.at(-1)).toMatch(/^\[debug\] {3}exit 4 after \d+ ms: sh -c 'exit 4'$/)
    expect(lines.join('\n')).not.toMatch(/hush|printed-7/)
  })

  it('prints nothing without --debug', async () => {
    const lines = capturedWarnings()
    await exec('sh', ['-c', 'echo quiet'])
    expect(lines).toEqual([])
  })
})
