import {describe, expect, it} from 'vitest'
import {listenPort} from '../../src/core/listen-port.js'

const pg = (command: string[] | undefined, environment: Record<string, string> = {}) =>
  listenPort({command, environment}, 'postgresql')

describe('listenPort', () => {
  it('reads PostgreSQL’s port options in every spelling, the last one winning', () => {
    expect(pg(undefined)).toEqual({port: 5432, source: 'the default'})
    expect(pg(['postgres', '-p', '5433'])).toMatchObject({
      port: 5433,
      source: 'its command (-p 5433)',
    })
    expect(pg(['postgres', '-p5433']).port).toBe(5433)
    expect(pg(['postgres', '--port=5433']).port).toBe(5433)
    expect(pg(['postgres', '-c', 'port=5433']).port).toBe(5433)
    expect(pg(['postgres', '-cport=5433']).port).toBe(5433)
    expect(pg(['/usr/lib/postgresql/17/bin/postgres', '-c', 'PORT=5433']).port).toBe(5433)
    expect(pg(['postgres', '-p', '5433', '-c', 'port=5434']).port).toBe(5434)
    expect(pg(['-c', 'max_connections=200', '-c', 'port=6000']).port).toBe(6000)
  })

  it('reads the variables the images read, the command first', () => {
    expect(pg(undefined, {PGPORT: '5433'})).toEqual({port: 5433, source: 'PGPORT'})
    expect(pg(undefined, {POSTGRESQL_PORT_NUMBER: '5435'}).port).toBe(5435)
    expect(pg(['postgres', '-p', '6000'], {PGPORT: '5433'}).port).toBe(6000)
  })

  it('ignores what belongs to other programs and what is not a port', () => {
    expect(pg(['sh', '-c', 'mkdir -p 5433 && exec postgres']).port).toBe(5432)
    expect(pg(['postgres', '-p', '70000']).port).toBe(5432)
    expect(pg(['postgres', '-p', '$PORT']).port).toBe(5432)
    expect(pg(['postgres', '-c', 'max_connections=5433']).port).toBe(5432)
    expect(pg(['postgres', '-c', 'port=1', '&&', 'psql', '-p', '9']).port).toBe(1)
    expect(pg(undefined, {PGPORT: 'x'}).port).toBe(5432)
  })

  it('reads redis-server’s --port', () => {
    expect(
      listenPort({command: ['redis-server', '--port', '6380'], environment: {}}, 'redis').port,
    ).toBe(6380)
    expect(
      listenPort(
        {command: ['redis-server', '/etc/redis.conf', '--port=6381'], environment: {}},
        'redis',
      ).port,
    ).toBe(6381)
    expect(
      listenPort({command: undefined, environment: {REDIS_PORT_NUMBER: '6390'}}, 'redis').port,
    ).toBe(6390)
    expect(listenPort({command: ['--appendonly', 'yes'], environment: {}}, 'redis').port).toBe(6379)
  })
})
