/**
 * Process identity against real processes (/proc and `ps`), and what the forward state dir
 * and `stopSupervisor` do with it: a pid from a file is signalled only when it is proven to
 * be the process recorded, and a stale or unreadable record signals nothing.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {ensureStateDirWritable, forwardStateDir, stateRoot} from '../../src/adapters/state-root.js'
import {StaleStateError, type ForwardStateDir} from '../../src/adapters/forward-state.js'
import {
  identityOf,
  inspectProcess,
  isValidPid,
  procfsFacts,
  proveProcess,
  psFacts,
  signalGroup,
  signalProcess,
} from '../../src/adapters/process-identity.js'
import {UsageError, UserError} from '../../src/core/errors.js'
import {locateForwards, readForwardStatus} from '../../src/forward/status.js'
import {stopSupervisor} from '../../src/forward/launcher.js'
import {alive, identity, killDecoys, startDecoySupervisor, startSleep} from '../support/decoys.js'
import {waitFor} from '../support/processes.js'

let dir: string
let root: string
let files: ForwardStateDir

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gdev-identity-'))
  root = join(dir, 'state')
  files = forwardStateDir(root, {
    kubeContext: 'kind-geniro-dev',
    namespace: 'geniro',
    release: 'geniro',
  })
  files.ensure()
})

afterEach(() => {
  killDecoys()
  rmSync(dir, {recursive: true, force: true})
})

const record = (value: unknown) => writeFileSync(files.pidFile, JSON.stringify(value))

describe('process identity', () => {
  it('takes only integers above 1 for a pid', () => {
    for (const pid of [0, 1, -1, -5, 1.5, Number.NaN, 2 ** 22, '123', 'abc', null, undefined])
      expect(isValidPid(pid), String(pid)).toBe(false)
    expect(isValidPid(2)).toBe(true)
    expect(isValidPid(process.pid)).toBe(true)
  })

  it('/proc and ps describe the same real process alike', () => {
    const pid = startSleep()
    const proc = procfsFacts(pid)!
    const ps = psFacts(pid)!
    expect(proc).toMatchObject({pid, zombie: false})
    expect(proc.pgid).toBeGreaterThan(1)
    expect(proc.command).toBe('sleep 300')
    expect(ps).toMatchObject({pid, pgid: proc.pgid, zombie: false, command: 'sleep 300'})
    expect(ps.started).toMatch(/^\w{3} \w{3} \d{1,2} \d\d:\d\d:\d\d \d{4}$/)
    expect(psFacts(process.pid)?.started).toBe(psFacts(process.pid)?.started)
    expect(inspectProcess(0)).toBeUndefined()
    expect(psFacts(1.5)).toBeUndefined()
  })

  it('proves a process by pid, start time and command line, never by "alive" alone', () => {
    const pid = startSleep()
    const recorded = identityOf(pid)!
    expect(proveProcess(recorded).ours).toBe(true)
    expect(proveProcess({...recorded, startTicks: recorded.startTicks! + 1})).toMatchObject({
      ours: false,
      reason: expect.stringMatching(/another process/),
    })
    expect(proveProcess({...recorded, command: 'node forward-supervisor.js /x'})).toMatchObject({
      ours: false,
      reason: `pid ${pid} is now another program`,
    })
    expect(proveProcess(recorded, () => false).ours).toBe(false)
    // A pid alone (no start time) proves nothing: it may have been reused.
    expect(proveProcess({pid}).ours).toBe(false)
    expect(proveProcess({...recorded, boot: 'another-boot'}).ours).toBe(false)
    for (const bad of [0, 1, -5]) expect(proveProcess({...recorded, pid: bad}).ours).toBe(false)
  })

  it('proves a process by its ps start time where there is no /proc', () => {
    const pid = startSleep()
    const facts = psFacts(pid)!
    const recorded = {pid, started: facts.started, command: facts.command}
    expect(proveProcess(recorded, () => true, psFacts).ours).toBe(true)
    expect(
      proveProcess({...recorded, started: 'Thu Jan  1 00:00:00 1970'}, () => true, psFacts).ours,
    ).toBe(false)
  })

  it('a zombie is not running', async () => {
    // `sleep 5` (after exec) never reaps its child `sleep 0.1`: that child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & exec sleep 5'], {stdio: 'ignore'})
    try {
      const zombie = await waitFor(
        () => {
          const children = readFileSync(
            `/proc/${parent.pid}/task/${parent.pid}/children`,
            'utf8',
          ).trim()
          const pid = Number(children.split(' ')[0])
          return pid > 0 && procfsFacts(pid)?.zombie ? pid : undefined
        },
        5_000,
        'a zombie',
      )
      expect(proveProcess({pid: zombie, startTicks: procfsFacts(zombie)!.startTicks}).ours).toBe(
        false,
      )
    } finally {
      parent.kill('SIGKILL')
    }
  })

  it('never signals a pid below 2, nor a group whose leader does not lead it', () => {
    for (const pid of [0, 1, -1, -5]) expect(signalProcess(pid, 'SIGCONT')).toBe(false)
    const sleep = startSleep()
    const facts = inspectProcess(sleep)!
    // The sleep is in the test's group; it does not lead one.
    expect(signalGroup(facts, 'SIGCONT')).toBe(false)
    expect(signalGroup({...facts, pid: 1, pgid: 1}, 'SIGCONT')).toBe(false)
    expect(alive(sleep)).toBe(true)
  })
})

describe('forward state files', () => {
  it('refuses names that would lead outside the state root', () => {
    for (const where of [
      {cluster: 'geniro-dev', namespace: '../../x', release: 'geniro'},
      {cluster: '../x', namespace: 'geniro', release: 'geniro'},
      {cluster: 'geniro-dev', namespace: 'geniro', release: 'geniro', kubeContext: '../../x'},
      {cluster: 'geniro-dev', namespace: 'geniro', release: 'geniro', kubeContext: '/etc'},
      {cluster: 'geniro-dev', namespace: '', release: 'geniro'},
      {cluster: 'geniro-dev', namespace: 'geniro', release: '../x'},
      {cluster: 'geniro-dev', namespace: 'geniro', release: 'a/b'},
    ])
      expect(() => locateForwards(where, root), JSON.stringify(where)).toThrowError(UsageError)
    const located = locateForwards(
      {cluster: 'geniro-dev', namespace: 'geniro', release: 'geniro'},
      root,
    )
    expect(located.dir).toBe(join(root, 'forwards', 'kind-geniro-dev@geniro'))
    const other = locateForwards(
      {cluster: 'geniro-dev', namespace: 'geniro', release: 'beta'},
      root,
    )
    expect(other.dir).toBe(join(root, 'forwards', 'kind-geniro-dev@geniro@beta'))
  })

  it('ignores a relative XDG_STATE_HOME and makes a relative GENIRO_DEV_STATE_DIR absolute', () => {
    expect(stateRoot({HOME: '/home/me', XDG_STATE_HOME: 'relative/state'})).toBe(
      '/home/me/.local/state/geniro-dev',
    )
    expect(stateRoot({HOME: '/home/me', XDG_STATE_HOME: '/xdg'})).toBe('/xdg/geniro-dev')
    expect(stateRoot({GENIRO_DEV_STATE_DIR: 'rel'})).toBe(join(process.cwd(), 'rel'))
  })

  it('reports garbled, mis-shaped and misplaced files as stale state naming the file (exit 3)', () => {
    const cases: Array<[string, string | (() => void), () => unknown]> = [
      [files.stateFile, '{garbled', () => files.readState()],
      [files.stateFile, '{"forwards": [{"name": "api", "localPort": 0}]}', () => files.readState()],
      [files.pidFile, '', () => files.readSupervisor()],
      [files.pidFile, '{"pid": "abc"}', () => files.readSupervisor()],
      [files.pidFile, '{"pid": 1}', () => files.readSupervisor()],
      [files.portsFile, '{"api": 0}', () => files.keptPorts()],
      [files.portsFile, '{"api": 70000}', () => files.keptPorts()],
      [files.portsFile, '{"api": "x"}', () => files.keptPorts()],
      [files.portsFile, '[15000]', () => files.keptPorts()],
      [files.logFile, () => mkdirSync(files.logFile), () => files.checkLog()],
      [files.stateFile, () => mkdirSync(files.stateFile), () => files.readState()],
    ]
    for (const [file, content, read] of cases) {
      if (typeof content === 'string') writeFileSync(file, content)
      else content()
      let error: unknown
      try {
        read()
      } catch (caught) {
        error = caught
      }
      expect(error, `${file}: ${String(content)}`).toBeInstanceOf(StaleStateError)
      expect((error as StaleStateError).exitCode).toBe(3)
      expect((error as StaleStateError).message).toContain(file)
      expect((error as StaleStateError).hint).toContain('geniro-dev forward stop')
      rmSync(file, {recursive: true, force: true})
    }
    writeFileSync(files.portsFile, '{"api": 15001}')
    expect(files.keptPorts()).toEqual({api: 15001})
  })

  it('finds an unusable state dir before anything changes (a file in the way)', () => {
    const blocker = join(dir, 'blocker')
    writeFileSync(blocker, 'not a directory')
    const env = {GENIRO_DEV_STATE_DIR: blocker}
    expect(() => ensureStateDirWritable(undefined, env)).toThrowError(UserError)
    expect(() => ensureStateDirWritable(undefined, env)).toThrowError(
      /state directory .*blocker.* is not usable \(a file is in the way\)/,
    )
    expect(readFileSync(blocker, 'utf8')).toBe('not a directory')
    const target = {kubeContext: 'kind-geniro-dev', namespace: 'geniro', release: 'geniro'}
    ensureStateDirWritable(target, {GENIRO_DEV_STATE_DIR: root})
    writeFileSync(files.portsFile, '{"api": 0}')
    expect(() => ensureStateDirWritable(target, {GENIRO_DEV_STATE_DIR: root})).toThrowError(
      StaleStateError,
    )
  })
})

describe('the start lock', () => {
  it('takes an empty lock file over at once', async () => {
    writeFileSync(files.lockFile, '')
    const started = Date.now()
    const release = await files.lock(60_000)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(JSON.parse(readFileSync(files.lockFile, 'utf8')).pid).toBe(process.pid)
    release()
    expect(existsSync(files.lockFile)).toBe(false)
  })

  it('takes over a garbled lock, a dead owner and a live process that is not the owner', async () => {
    const sleep = startSleep()
    for (const content of [
      '{"pid": ',
      '{"pid": 0}',
      JSON.stringify({pid: 4_000_000, startTicks: 1, command: 'geniro-dev'}),
      // A live pid, but not the process that took the lock (another command line).
      JSON.stringify({...identity(sleep), command: 'node geniro-dev forward'}),
    ]) {
      writeFileSync(files.lockFile, content)
      const started = Date.now()
      const release = await files.lock(60_000)
      expect(Date.now() - started, content).toBeLessThan(1_000)
      release()
    }
    expect(alive(sleep)).toBe(true)
  })

  it('waits for a live owner', async () => {
    const release = await files.lock(1_000)
    const started = Date.now()
    await expect(files.lock(300)).rejects.toThrowError(/another geniro-dev is starting or stopping/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    release()
    ;(await files.lock(300))()
  })
})

describe('stopSupervisor', () => {
  it('stops a supervisor proven ours: its whole group', async () => {
    const decoy = await startDecoySupervisor(join(dir, 'bin'), files.dir)
    record(identity(decoy.pid))
    expect(readForwardStatus(files).supervisor).toEqual({pid: decoy.pid, running: true})
    const result = await stopSupervisor(files)
    expect(result).toEqual({stopped: true, pid: decoy.pid})
    await waitFor(() => !alive(decoy.pid) && !alive(decoy.childPid), 5_000, 'the decoy group')
    expect(existsSync(files.pidFile)).toBe(false)
  })

  it('a record whose start time differs is stale: nothing in its group is signalled', async () => {
    const decoy = await startDecoySupervisor(join(dir, 'bin'), files.dir)
    const recorded = identity(decoy.pid)
    record({...recorded, startTicks: recorded.startTicks - 1})
    expect(readForwardStatus(files).supervisor).toEqual({pid: decoy.pid, running: false})
    // The supervisor's group leader is gone: its port-forward child is not ours by a name.
    process.kill(decoy.pid, 'SIGKILL')
    await waitFor(() => !alive(decoy.pid), 5_000, 'the decoy leader to die')
    record({...recorded, startTicks: recorded.startTicks - 1})
    const result = await stopSupervisor(files)
    expect(result).toMatchObject({stopped: false, pid: decoy.pid, stale: expect.any(String)})
    expect(alive(decoy.childPid)).toBe(true)
    expect(existsSync(files.pidFile)).toBe(false)
  })

  it('a record naming a live process that is not a supervisor is stale: it stays alive', async () => {
    const sleep = startSleep()
    record(identity(sleep))
    expect(readForwardStatus(files).supervisor).toEqual({pid: sleep, running: false})
    expect(await stopSupervisor(files)).toEqual({
      stopped: false,
      pid: sleep,
      stale: `pid ${sleep} is now another program`,
    })
    expect(alive(sleep)).toBe(true)
  })

  it('kills recorded tunnels of a dead supervisor only when each is the process recorded', async () => {
    const decoy = await startDecoySupervisor(join(dir, 'bin'), files.dir)
    const other = await startDecoySupervisor(join(dir, 'bin2'), files.dir)
    const tunnel = identity(decoy.childPid)
    const lookalike = identity(other.childPid)
    process.kill(decoy.pid, 'SIGKILL')
    process.kill(other.pid, 'SIGKILL')
    files.writeTunnels([
      tunnel,
      {...lookalike, startTicks: lookalike.startTicks + 1},
      {...lookalike, pgid: tunnel.pgid},
    ])
    await stopSupervisor(files)
    await waitFor(() => !alive(decoy.childPid), 5_000, 'the recorded tunnel to die')
    expect(alive(other.childPid)).toBe(true)
    expect(existsSync(files.tunnelsFile)).toBe(false)
  })

  it('cleans unreadable state files and signals nothing', async () => {
    writeFileSync(files.pidFile, '{garbled')
    writeFileSync(files.stateFile, '[]')
    writeFileSync(files.portsFile, '{"api": 0}')
    writeFileSync(files.tunnelsFile, '{"pid": 1}')
    mkdirSync(files.logFile)
    const result = await stopSupervisor(files)
    expect(result.stopped).toBe(false)
    expect(result.stale).toContain(files.pidFile)
    expect(result.cleaned?.sort()).toEqual(
      [files.stateFile, files.pidFile, files.tunnelsFile, files.portsFile, files.logFile].sort(),
    )
    files.validate()
  })

  it('waits for the start lock, then stops', async () => {
    const release = await files.lock(1_000)
    const sleep = startSleep()
    record(identity(sleep))
    let done = false
    const stopping = stopSupervisor(files).then((result) => {
      done = true
      return result
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(done).toBe(false)
    expect(existsSync(files.pidFile)).toBe(true)
    release()
    expect((await stopping).stopped).toBe(false)
    expect(existsSync(files.pidFile)).toBe(false)
    expect(alive(sleep)).toBe(true)
  })
})
