import {describe, expect, it} from 'vitest'
import {supervisorEnvironment} from '../../src/core/supervisor-env.js'

describe('supervisorEnvironment', () => {
  it('keeps what kubectl needs, the locale, time zone, proxies and GENIRO_*, and drops the rest (secrets included)', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/me',
      KUBECONFIG: '/home/me/.kube/config',
      LANG: 'de_DE.UTF-8',
      LANGUAGE: 'de',
      LC_ALL: 'C.UTF-8',
      LC_TIME: 'de_DE.UTF-8',
      TZ: 'Europe/Berlin',
      HTTP_PROXY: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      http_proxy: 'http://proxy:3128',
      https_proxy: 'http://proxy:3128',
      no_proxy: 'localhost',
      GENIRO_DEV_STATE_DIR: '/tmp/state',
      GENIRO_FAKE_STATE: '/tmp/fake',
      PGPASSWORD: 'secret',
      AWS_SECRET_ACCESS_KEY: 'secret',
      GITHUB_TOKEN: 'secret',
      NODE_OPTIONS: '--require /tmp/evil.js',
      LD_PRELOAD: '/tmp/evil.so',
      SSH_AUTH_SOCK: '/tmp/agent',
      UNSET: undefined,
    }
    const kept = supervisorEnvironment(env)
    expect(Object.keys(kept).sort()).toEqual(
      [
        'PATH',
        'HOME',
        'KUBECONFIG',
        'LANG',
        'LANGUAGE',
        'LC_ALL',
        'LC_TIME',
        'TZ',
        'HTTP_PROXY',
        'HTTPS_PROXY',
        'NO_PROXY',
        'http_proxy',
        'https_proxy',
        'no_proxy',
        'GENIRO_DEV_STATE_DIR',
        'GENIRO_FAKE_STATE',
      ].sort(),
    )
    expect(kept.PATH).toBe('/usr/bin')
  })
})
