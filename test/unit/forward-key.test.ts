import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {forwardKey, validateKubeContext} from '../../src/core/forward-key.js'

describe('validateKubeContext', () => {
  it.each([
    'kind-geniro-dev',
    'geniro-dev',
    'arn:aws:eks:eu-west-1:123456789012:cluster/dev',
    'gke_project_europe-west1_dev',
    'admin@k3s',
    'team/dev..old',
  ])('accepts the context %j', (name) => {
    expect(validateKubeContext(name)).toBe(name)
  })

  it.each([
    '',
    '   ',
    '.',
    '..',
    '../x',
    '../../x',
    'a/../b',
    'a/..',
    '/etc',
    '\\x',
    'C:\\x',
    'a\0b',
    'a\nb',
  ])('refuses the context %j (it could name a path)', (name) => {
    expect(() => validateKubeContext(name)).toThrowError(UsageError)
  })
})

describe('forwardKey', () => {
  it('maps a context and namespace to one directory name, never . or ..', () => {
    expect(forwardKey('kind-geniro-dev', 'geniro')).toBe('kind-geniro-dev@geniro')
    expect(forwardKey('arn:aws:eks:eu-west-1:1:cluster/dev', 'ns')).toBe(
      'arn_aws_eks_eu-west-1_1_cluster_dev@ns',
    )
    for (const context of ['team/dev..old', 'a.b', 'x:y/z']) {
      const key = forwardKey(context, 'geniro')
      expect(key).not.toMatch(/[/\\]/)
      expect(['.', '..']).not.toContain(key)
    }
  })

  it('refuses a context that would make the directory name longer than 255 bytes', () => {
    expect(forwardKey('c'.repeat(190), 'n'.repeat(63))).toHaveLength(254)
    expect(() => forwardKey('c'.repeat(192), 'n'.repeat(63))).toThrowError(/too long/)
  })
})
