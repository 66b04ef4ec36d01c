import {describe, expect, it} from 'vitest'
import {apiServerHost, isLocalApiServer} from '../../src/core/api-server.js'
import {isLoopbackHost} from '../../src/core/host-address.js'

describe('a context is the local cluster only when its API server is', () => {
  it.each([
    ['https://127.0.0.1:40123', []],
    ['https://127.3.2.1:6443', []],
    ['https://[::1]:6443', []],
    ['https://[0:0:0:0:0:0:0:1]:6443', []],
    ['https://[::ffff:127.0.0.1]:6443', []],
    ['https://localhost:6443', []],
    ['https://LOCALHOST:6443', []],
    ['https://geniro-dev-control-plane:6443', ['geniro-dev-control-plane', '172.18.0.2']],
    ['https://172.18.0.2:6443', ['geniro-dev-control-plane', '172.18.0.2']],
    ['https://192.168.49.2:8443', ['geniro-dev', '192.168.49.2']],
  ])('%s with cluster hosts %j is local', (server, hosts) => {
    expect(isLocalApiServer(server, hosts)).toBe(true)
  })

  it.each([
    ['https://10.0.0.1:6443', []],
    ['https://prod.example.com:443', []],
    ['https://172.18.0.3:6443', ['geniro-dev-control-plane', '172.18.0.2']],
    ['https://128.0.0.1:6443', []],
    ['https://[fe80::1]:6443', []],
    ['https://[::11]:6443', []],
    ['https://localhost.example.com:6443', []],
    ['https://127.0.0.1.nip.io:6443', []],
    ['not a url', []],
    ['', []],
    ['/var/run/k8s.sock', []],
  ])('%s with cluster hosts %j is not local', (server, hosts) => {
    expect(isLocalApiServer(server, hosts)).toBe(false)
  })

  it('reads the host of an IPv6 server without brackets, lowercased', () => {
    expect(apiServerHost('https://[::1]:6443')).toBe('::1')
    expect(apiServerHost('https://Kind-Control-Plane:6443')).toBe('kind-control-plane')
    expect(apiServerHost('garbage')).toBeUndefined()
  })

  it('knows loopback names and addresses', () => {
    expect(['localhost', 'api.localhost', '127.0.0.1', '::1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ])
    expect(['10.0.0.1', 'example.com', '::2', '0.0.0.0'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ])
  })
})
