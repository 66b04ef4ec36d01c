import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {dockerCli, requireTool} from './toolchain.js'

/** Debian's busybox-static, installed by scripts/toolchain.sh. */
export const BUSYBOX = '/bin/busybox'

/** `docker` against one engine (the shared test engine, or a test's own). */
export function dockerOn(host: string, args: string[], input?: Buffer): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: host},
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
}

/** The tag carries the binary's digest, so an engine that has this busybox reuses it. */
export function busyboxImageTag(): string {
  const digest = createHash('sha256')
    .update(readFileSync(requireTool(BUSYBOX)))
    .digest('hex')
  return `geniro-dev-test-busybox:${digest.slice(0, 12)}`
}

/**
 * A busybox image laid out as the busybox images are (every applet linked in /bin, CMD sh),
 * from the machine's own busybox: nothing can be pulled here. It is the fake kind/minikube
 * node (`sh`, `sleep`), a Compose service in tests (`httpd`, `nc`) and bridge mode's probe
 * image (`sh`, `nc`).
 */
export function ensureBusyboxImage(host: string): string {
  const tag = busyboxImageTag()
  try {
    dockerOn(host, ['image', 'inspect', tag])
    return tag
  } catch {
    // not on this engine yet
  }
  const root = mkdtempSync(path.join(tmpdir(), 'gdev-busybox-rootfs-'))
  try {
    for (const dir of ['bin', 'etc', 'tmp']) mkdirSync(path.join(root, dir))
    writeFileSync(path.join(root, 'bin', 'busybox'), readFileSync(BUSYBOX), {mode: 0o755})
    const applets = execFileSync(BUSYBOX, ['--list'], {encoding: 'utf8'}).split('\n')
    for (const applet of applets.filter((a) => a && a !== 'busybox' && !a.includes('/'))) {
      symlinkSync('busybox', path.join(root, 'bin', applet))
    }
    writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
    const tarball = execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', '-', '.'], {
      maxBuffer: 64 * 1024 * 1024,
    })
    dockerOn(host, ['import', '--change', 'CMD ["sh"]', '-', tag], tarball)
  } finally {
    rmSync(root, {recursive: true, force: true})
  }
  return tag
}
