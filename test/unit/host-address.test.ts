import {describe, expect, it} from 'vitest'
import {UserError} from '../../src/core/errors.js'
import {kindNetworkName, pickIpv4Gateway, validateHostAddress} from '../../src/core/host-address.js'

describe('validateHostAddress', () => {
  it.each([
    ['192.168.49.1', '192.168.49.1'],
    ['  172.18.0.1\n', '172.18.0.1'],
    ['host.docker.internal', 'host.docker.internal'],
    ['host.minikube.internal', 'host.minikube.internal'],
    ['fc00:f853:ccd:e793::1', 'fc00:f853:ccd:e793::1'],
    ['10.0.2.2', '10.0.2.2'],
    // Not loopback: only 127.0.0.0/8 is, and a name that merely contains "localhost".
    ['128.0.0.1', '128.0.0.1'],
    ['mylocalhost', 'mylocalhost'],
    ['::2', '::2'],
  ])('takes %j as %j', (text, address) => {
    expect(validateHostAddress(text)).toBe(address)
  })

  it.each([
    '',
    '   ',
    'localhost',
    'LOCALHOST',
    'localhost.',
    'db.localhost',
    'ip6-localhost',
    '127.0.0.1',
    '127.1.2.3',
    '127.255.255.254',
    '0.0.0.0',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
  ])('refuses %j: a pod’s localhost is the pod itself', (text) => {
    let error: unknown
    try {
      validateHostAddress(text)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(UserError)
    const {message, hint, exitCode} = error as UserError
    expect(message).toContain('is the pod itself')
    expect(hint).toContain('--host-address')
    expect(hint).toContain('pods can reach')
    expect(hint).toContain('omit it to detect')
    expect(exitCode).toBe(new UserError('x').exitCode)
  })
})

describe('validateHostAddress refuses what is not an address or a host name', () => {
  it.each([
    '127.1',
    '2130706433',
    '0x7f000001',
    '0177.0.0.1',
    '10.1',
    '192.168.1.256',
    'a b',
    'http://x',
    'host:5432',
    'host/path',
    '-leading.example',
    'under_score.example',
    `${'a'.repeat(64)}.example`,
    '[not-ipv6]',
    '1::2::3',
  ])('refuses %j, naming the accepted forms', (text) => {
    expect(() => validateHostAddress(text)).toThrow(
      `"${text}" is not a host address: give an IPv4 address (a.b.c.d), an IPv6 address or a host name`,
    )
  })

  it.each([
    'host.docker.internal',
    'gw-1.example.',
    '[fc00::1]',
    '1.example',
    'xn--bcher-kva.example',
  ])('takes %j', (text) => {
    expect(validateHostAddress(text)).toBe(text)
  })
})

describe('kindNetworkName', () => {
  it('is "kind" unless KIND_EXPERIMENTAL_DOCKER_NETWORK names another', () => {
    expect(kindNetworkName({})).toBe('kind')
    expect(kindNetworkName({KIND_EXPERIMENTAL_DOCKER_NETWORK: ''})).toBe('kind')
    expect(kindNetworkName({KIND_EXPERIMENTAL_DOCKER_NETWORK: undefined})).toBe('kind')
    expect(kindNetworkName({KIND_EXPERIMENTAL_DOCKER_NETWORK: 'kind-ci'})).toBe('kind-ci')
  })
})

describe('pickIpv4Gateway', () => {
  it('takes the IPv4 gateway of a dual-stack network, in either order', () => {
    // `docker network inspect kind --format '{{json .IPAM.Config}}'` on Docker 20.10 (here).
    const kind = [
      {Subnet: '172.19.0.0/16', Gateway: '172.19.0.1'},
      {Subnet: 'fc00:f853:ccd:e793::/64'},
    ]
    expect(pickIpv4Gateway(kind)).toBe('172.19.0.1')
    expect(pickIpv4Gateway([...kind].reverse())).toBe('172.19.0.1')
    expect(
      pickIpv4Gateway([
        {Subnet: 'fc00:f853:ccd:e793::/64', Gateway: 'fc00:f853:ccd:e793::1'},
        {Subnet: '172.19.0.0/16', Gateway: '172.19.0.1'},
      ]),
    ).toBe('172.19.0.1')
  })

  it('falls back to the first host of an IPv4 subnet recorded without a gateway', () => {
    expect(pickIpv4Gateway([{Subnet: '10.89.0.0/24'}])).toBe('10.89.0.1')
    expect(pickIpv4Gateway([{Subnet: '192.168.49.0/24'}, {Subnet: 'fd00::/64'}])).toBe(
      '192.168.49.1',
    )
    expect(pickIpv4Gateway([{Subnet: '10.1.2.128/25'}])).toBe('10.1.2.129')
  })

  it('is undefined for IPv6-only networks and empty configs', () => {
    expect(pickIpv4Gateway([])).toBeUndefined()
    expect(pickIpv4Gateway([{Subnet: 'fd00::/64', Gateway: 'fd00::1'}])).toBeUndefined()
    expect(pickIpv4Gateway([{Subnet: 'fd00::/64'}])).toBeUndefined()
    expect(pickIpv4Gateway([{}])).toBeUndefined()
  })
})
