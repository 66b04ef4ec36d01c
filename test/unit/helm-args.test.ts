import {describe, expect, it} from 'vitest'
import {parseDuration} from '../../src/core/duration.js'
import {componentEnabled, serviceUrls} from '../../src/core/forward-urls.js'
import {helmUpgradeArgs} from '../../src/core/helm-args.js'

const base = {
  release: 'geniro',
  chart: '/opt/geniro-dev/helm/geniro',
  namespace: 'geniro',
  kubeContext: 'kind-geniro-dev',
  valuesFiles: ['/iso.yaml', 'mine.yaml'],
  timeoutSeconds: 600,
  description: 'geniro-dev chart-digest=abc',
}

describe('helm upgrade argv', () => {
  it('Helm 4: --wait takes the watcher strategy', () => {
    expect(helmUpgradeArgs({...base, helmMajor: 4})).toEqual([
      'upgrade',
      '--install',
      'geniro',
      '/opt/geniro-dev/helm/geniro',
      '--namespace',
      'geniro',
      '--create-namespace',
      '--kube-context',
      'kind-geniro-dev',
      '--values',
      '/iso.yaml',
      '--values',
      'mine.yaml',
      '--wait=watcher',
      '--wait-for-jobs',
      '--timeout',
      '600s',
      '--description',
      'geniro-dev chart-digest=abc',
    ])
  })
  it('Helm 3: a plain --wait, everything else the same', () => {
    const args = helmUpgradeArgs({...base, helmMajor: 3})
    expect(args).toContain('--wait')
    expect(args).not.toContain('--wait=watcher')
    expect(args).not.toContain('--atomic')
  })
})

describe('durations', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['1h30m', 5400],
    ['300', 300],
  ])('%s → %i s', (text, seconds) => expect(parseDuration(text)).toBe(seconds))
  it.each(['', '0', 'ten', '5d', '-1m'])('refuses %j', (text) =>
    expect(() => parseDuration(text)).toThrowError(/--timeout/),
  )
  it.each(['597h', '25h', '86401', '99999999999999999999s'])(
    'refuses %j: longer than 24h (a timer that long would overflow)',
    (text) =>
      expect(() => parseDuration(text)).toThrowError(`--timeout "${text}" is longer than 24h`),
  )
  it('takes exactly 24h', () => expect(parseDuration('24h')).toBe(86400))
})

describe('offset URLs', () => {
  it('lists the default components, and Daytona only when enabled', () => {
    expect(serviceUrls({}).map((u) => u.component)).toEqual([
      'api',
      'web',
      'litellm',
      'keycloak',
      'postgresql',
      'redis',
      'qdrant',
    ])
    expect(
      serviceUrls({daytona: {enabled: true}, keycloak: {enabled: false}}).map((u) => u.component),
    ).toEqual([
      'api',
      'web',
      'litellm',
      'postgresql',
      'redis',
      'qdrant',
      'daytona-api',
      'daytona-proxy',
    ])
    expect(serviceUrls({}).find((u) => u.component === 'postgresql')?.url).toBe(
      'postgresql://127.0.0.1:15432',
    )
    expect(componentEnabled({api: {enabled: false}}, 'api')).toBe(false)
  })
})
