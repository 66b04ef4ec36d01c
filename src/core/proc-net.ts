/** Parsing of Linux /proc/net/tcp{,6} and of a process's command line (pure). */

export interface ListeningSocket {
  address: string
  port: number
  inode: number
  uid: number
}

const TCP_LISTEN = '0A'

/** Listening sockets from the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue
    const [addressHex, portHex] = (fields[1] ?? '').split(':')
    if (!addressHex || !portHex) continue
    sockets.push({
      address: decodeAddress(addressHex),
      port: Number.parseInt(portHex, 16),
      uid: Number(fields[7]),
      inode: Number(fields[9]),
    })
  }
  return sockets
}

/** The kernel prints each 32-bit word of the address in host (little-endian) order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? []
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)),
  )
  if (bytes.length === 4) return bytes.join('.')
  const groups: string[] = []
  for (let i = 0; i < bytes.length; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16))
  return compressIpv6(groups)
}

function compressIpv6(groups: string[]): string {
  const full = groups.join(':')
  if (full === '0:0:0:0:0:ffff:0:0') return '::ffff:0.0.0.0'
  // Replace the longest run of zero groups with "::".
  let best = {start: -1, length: 0}
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > best.length) best = {start: i, length: j - i}
    i = j
  }
  if (best.length < 2) return full
  const head = groups.slice(0, best.start).join(':')
  const tail = groups.slice(best.start + best.length).join(':')
  return `${head}::${tail}`
}

/** A short, human description of what holds a port, from the holder's argv. */
export function describeHolder(pid: number, argv: string[]): string {
  const command = (argv[0] ?? '').split('/').pop()
  if (!command) return `pid ${pid}`
  if (command === 'docker-proxy' || command === 'rootlessport') {
    const flag = (name: string) => {
      const index = argv.indexOf(name)
      return index >= 0 ? argv[index + 1] : undefined
    }
    const ip = flag('-container-ip')
    const port = flag('-container-port')
    if (ip && port) return `${command} (pid ${pid}) for container ${ip}:${port}`
  }
  return `${command} (pid ${pid})`
}
