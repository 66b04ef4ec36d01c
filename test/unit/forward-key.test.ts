import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {forwardKey, parseForwardKey, validateKubeContext} from '../../src/core/forward-key.js'

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
    expect(forwardKey('kind-geniro-dev', 'geniro', 'geniro')).toBe('kind-geniro-dev@geniro')
    expect(forwardKey('arn:aws:eks:eu-west-1:1:cluster/dev', 'ns', 'geniro')).toBe(
      'arn_aws_eks_eu-west-1_1_cluster_dev@ns',
    )
    for (const context of ['team/dev..old', 'a.b', 'x:y/z']) {
      const key = forwardKey(context, 'geniro', 'geniro')
      expect(key).not.toMatch(/[/\\]/)
      expect(['.', '..']).not.toContain(key)
    }
  })

  it('keeps the directory name of earlier versions for the default release geniro', () => {
    expect(forwardKey('kind-geniro-dev', 'geniro', 'geniro')).toBe('kind-geniro-dev@geniro')
    expect(forwardKey('minikube', 'dev', 'geniro')).toBe('minikube@dev')
  })

  it('gives every other release a directory of its own', () => {
    expect(forwardKey('kind-geniro-dev', 'geniro', 'alpha')).toBe('kind-geniro-dev@geniro@alpha')
    expect(forwardKey('kind-geniro-dev', 'geniro', 'beta')).toBe('kind-geniro-dev@geniro@beta')
    expect(forwardKey('kind-geniro-dev', 'geniro', 'my.rel-1')).toBe(
      'kind-geniro-dev@geniro@my.rel-1',
    )
    const keys = ['geniro', 'alpha', 'beta', 'geniro-2'].map((release) =>
      forwardKey('kind-geniro-dev', 'geniro', release),
    )
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('never collides a release with a namespace of the same shape', () => {
    // A context's `@` is mapped away and a namespace (a DNS label) has none.
    expect(forwardKey('ctx', 'a', 'b')).not.toBe(forwardKey('ctx@a', 'b', 'geniro'))
  })

  it.each(['../x', '..', '.', 'a/b', 'a@b', 'A', '', '-x', 'x'.repeat(54)])(
    'refuses the release %j (it could name a path or is no Helm release name)',
    (release) => {
      expect(() => forwardKey('kind-geniro-dev', 'geniro', release)).toThrowError(UsageError)
    },
  )

  it('refuses a context that would make the directory name longer than 255 bytes', () => {
    expect(forwardKey('c'.repeat(190), 'n'.repeat(63), 'geniro')).toHaveLength(254)
    expect(() => forwardKey('c'.repeat(192), 'n'.repeat(63), 'geniro')).toThrowError(/too long/)
    expect(forwardKey('c'.repeat(184), 'n'.repeat(63), 'alpha')).toHaveLength(254)
    expect(() => forwardKey('c'.repeat(186), 'n'.repeat(63), 'alpha')).toThrowError(/too long/)
  })
})

describe('parseForwardKey', () => {
  it('reads back the namespace and release of every key forwardKey makes for a context', () => {
    for (const [context, namespace, release] of [
      ['kind-geniro-dev', 'geniro', 'geniro'],
      ['kind-geniro-dev', 'team-a', 'beta'],
      ['admin@k3s', 'default', 'alpha'],
      ['arn:aws:eks:eu-west-1:1:cluster/dev', 'geniro', 'geniro'],
    ] as const) {
      expect(parseForwardKey(forwardKey(context, namespace, release), context)).toEqual({
        namespace,
        release,
      })
    }
  })

  it('answers nothing for another context’s keys or names forwardKey never makes', () => {
    expect(parseForwardKey('kind-other@geniro', 'kind-geniro-dev')).toBeUndefined()
    expect(parseForwardKey('kind-geniro-dev-2@geniro', 'kind-geniro-dev')).toBeUndefined()
    expect(parseForwardKey('kind-geniro-dev', 'kind-geniro-dev')).toBeUndefined()
    expect(parseForwardKey('kind-geniro-dev@', 'kind-geniro-dev')).toBeUndefined()
    expect(parseForwardKey('kind-geniro-dev@ns@', 'kind-geniro-dev')).toBeUndefined()
    expect(parseForwardKey('kind-geniro-dev@ns@a@b', 'kind-geniro-dev')).toBeUndefined()
  })
})
