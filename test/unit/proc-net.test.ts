import {describe, expect, it} from 'vitest'
import {describeHolder, parseProcNetTcp} from '../../src/core/proc-net.js'

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'

describe('parseProcNetTcp', () => {
  it('finds listening IPv4 sockets and skips other states', () => {
    const text = [
      HEADER,
      '   0: 0100007F:3A98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 00000000:1537 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 777 1 0000000000000000 100 0 0 10 0',
      '   2: 0100007F:3A98 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 20 4 30 10 -1',
    ].join('\n')
    expect(parseProcNetTcp(text)).toEqual([
      {address: '127.0.0.1', port: 15000, uid: 0, inode: 4242},
      {address: '0.0.0.0', port: 5431, uid: 999, inode: 777},
    ])
  })

  it('decodes IPv6 loopback, any and v4-mapped addresses', () => {
    const text = [
      HEADER,
      '   0: 00000000000000000000000001000000:3A98 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0 100 0 0 10 0',
      '   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12 1 0 100 0 0 10 0',
      '   2: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 13 1 0 100 0 0 10 0',
    ].join('\n')
    expect(parseProcNetTcp(text).map((socket) => socket.address)).toEqual([
      '::1',
      '::',
      '::ffff:7f00:1',
    ])
  })

  it('tolerates empty and truncated input', () => {
    expect(parseProcNetTcp('')).toEqual([])
    expect(parseProcNetTcp(`${HEADER}\n garbage`)).toEqual([])
  })
})

describe('describeHolder', () => {
  it('names the container behind a docker-proxy', () => {
    const argv = [
      '/usr/bin/docker-proxy',
      '-proto',
      'tcp',
      '-host-ip',
      '0.0.0.0',
      '-host-port',
      '5439',
      '-container-ip',
      '172.18.0.2',
      '-container-port',
      '5432',
    ]
    expect(describeHolder(812, argv)).toBe('docker-proxy (pid 812) for container 172.18.0.2:5432')
  })

  it('names an ordinary process by its command', () => {
    expect(describeHolder(99, ['/usr/local/bin/node', 'server.js'])).toBe('node (pid 99)')
    expect(describeHolder(7, [])).toBe('pid 7')
  })
})
