import {readdir, readFile, readlink} from 'node:fs/promises'
import {createServer} from 'node:net'
import getPort from 'get-port'
import type {PortHolder} from '../core/doctor.js'
import {describeHolder, parseProcNetTcp} from '../core/proc-net.js'

/** The host's ports as the services see them; test/services passes an in-memory one. */
export interface HostPorts {
  addressesInUse(port: number): Promise<string[]>
  firstFreePort(
    candidates: readonly number[],
    exclude: Iterable<number>,
  ): Promise<number | undefined>
  findPortHolder(port: number): Promise<PortHolder | undefined>
}

/** The local addresses a forward must not collide on. */
export const PROBE_ADDRESSES = ['127.0.0.1', '0.0.0.0', '::1'] as const

/**
 * Addresses among PROBE_ADDRESSES where `port` cannot be bound right now. The probes
 * run one after another: a bind on 127.0.0.1 would block our own probe of 0.0.0.0.
 */
export async function addressesInUse(port: number): Promise<string[]> {
  const taken: string[] = []
  for (const host of PROBE_ADDRESSES) {
    if (!(await canBind(host, port))) taken.push(host)
  }
  return taken
}

/**
 * The first of `candidates`, in order, that get-port finds free on every local address,
 * skipping `exclude` (ports geniro-dev knows are spoken for though nothing binds them yet:
 * Compose's declared ports, ports just chosen); undefined when none is. get-port falls back
 * to a random port when none of the list is free: that is no answer here.
 */
export async function firstFreePort(
  candidates: readonly number[],
  exclude: Iterable<number>,
): Promise<number | undefined> {
  const skipped = new Set(exclude)
  const port = await getPort({port: candidates, exclude: skipped})
  return candidates.includes(port) && !skipped.has(port) ? port : undefined
}

/** This machine's ports: bind probes, get-port and /proc. */
export const hostPorts: HostPorts = {
  addressesInUse,
  firstFreePort,
  findPortHolder,
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      // No IPv6 on this host: nothing can hold ::1 either.
      resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT')
    })
    server.listen({host, port, exclusive: true}, () => server.close(() => resolve(true)))
  })
}

/**
 * Which process listens on `port`, from /proc (Linux). Returns undefined where it
 * cannot tell: another OS, or a process of another user whose fds are not readable.
 */
export async function findPortHolder(
  port: number,
  procRoot = '/proc',
): Promise<PortHolder | undefined> {
  const inodes = new Set<number>()
  let ownerUid: number | undefined
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`${procRoot}/net/${table}`, 'utf8').catch(() => '')
    for (const socket of parseProcNetTcp(text)) {
      if (socket.port !== port) continue
      inodes.add(socket.inode)
      ownerUid = socket.uid
    }
  }
  if (inodes.size === 0) return undefined
  const pids = (await readdir(procRoot).catch(() => [])).filter((entry) => /^\d+$/.test(entry))
  for (const pid of pids) {
    const fds = await readdir(`${procRoot}/${pid}/fd`).catch(() => [])
    for (const fd of fds) {
      const target = await readlink(`${procRoot}/${pid}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (inode && inodes.has(Number(inode))) {
        const cmdline = await readFile(`${procRoot}/${pid}/cmdline`, 'utf8').catch(() => '')
        const argv = cmdline.split('\0').filter(Boolean)
        return {pid: Number(pid), command: argv[0], description: describeHolder(Number(pid), argv)}
      }
    }
  }
  return {description: `a process of uid ${ownerUid} that this user cannot inspect`}
}
