import {describe, expect, it} from 'vitest'
import {
  chooseProvider,
  kubeContextFor,
  resolveKubeContext,
  validateClusterName,
  validateNamespace,
  validateReleaseName,
} from '../../src/core/cluster.js'
import {ToolNotFoundError, UsageError} from '../../src/core/errors.js'

const none = {kind: false, minikube: false}

describe('names', () => {
  it.each(['geniro-dev', 'a', 'dev2', 'x'.repeat(40)])('accepts cluster %s', (name) => {
    expect(validateClusterName(name)).toBe(name)
  })
  it.each(['Geniro', '-dev', 'dev-', 'a_b', 'x'.repeat(41), '', 'a b'])(
    'refuses cluster %j',
    (name) => {
      expect(() => validateClusterName(name)).toThrowError(UsageError)
    },
  )
  it('checks namespaces and release names', () => {
    expect(validateNamespace('team-a')).toBe('team-a')
    expect(() => validateNamespace('Team')).toThrowError(/invalid namespace/)
    expect(validateReleaseName('geniro.v2')).toBe('geniro.v2')
    expect(() => validateReleaseName('x'.repeat(54))).toThrowError(/invalid release name/)
  })
})

describe('provider choice', () => {
  it('honours --provider when installed, refuses it when not', () => {
    expect(
      chooseProvider('minikube', {installed: {kind: true, minikube: true}, hasCluster: none}),
    ).toBe('minikube')
    expect(() =>
      chooseProvider('minikube', {installed: {kind: true, minikube: false}, hasCluster: none}),
    ).toThrowError(ToolNotFoundError)
  })
  it('prefers the provider that already has the cluster, then kind, then minikube', () => {
    expect(
      chooseProvider(undefined, {
        installed: {kind: true, minikube: true},
        hasCluster: {kind: false, minikube: true},
      }),
    ).toBe('minikube')
    expect(
      chooseProvider(undefined, {installed: {kind: true, minikube: true}, hasCluster: none}),
    ).toBe('kind')
    expect(
      chooseProvider(undefined, {installed: {kind: false, minikube: true}, hasCluster: none}),
    ).toBe('minikube')
  })
  it('asks to choose when both have the cluster, and fails with neither installed', () => {
    expect(() =>
      chooseProvider(undefined, {
        installed: {kind: true, minikube: true},
        hasCluster: {kind: true, minikube: true},
      }),
    ).toThrowError(/both kind and minikube/)
    expect(() => chooseProvider(undefined, {installed: none, hasCluster: none})).toThrowError(
      /kind or minikube is not installed/,
    )
  })
})

describe('the kube-context guard', () => {
  it('names the managed context of each provider', () => {
    expect(kubeContextFor('kind', 'dev')).toBe('kind-dev')
    expect(kubeContextFor('minikube', 'dev')).toBe('dev')
  })
  it('uses the managed context by default and accepts it explicitly', () => {
    expect(resolveKubeContext({provider: 'kind', cluster: 'dev', allowRemote: false})).toBe(
      'kind-dev',
    )
    expect(
      resolveKubeContext({
        provider: 'kind',
        cluster: 'dev',
        requested: 'kind-dev',
        allowRemote: false,
      }),
    ).toBe('kind-dev')
  })
  it('refuses any other context unless explicitly allowed', () => {
    expect(() =>
      resolveKubeContext({
        provider: 'kind',
        cluster: 'dev',
        requested: 'prod-eu',
        allowRemote: false,
      }),
    ).toThrowError(/refusing kube context "prod-eu"/)
    expect(
      resolveKubeContext({
        provider: 'kind',
        cluster: 'dev',
        requested: 'prod-eu',
        allowRemote: true,
      }),
    ).toBe('prod-eu')
  })
})
