import {describe, expect, it} from 'vitest'
import {clusterDrift, type DriftInput} from '../../src/core/cluster-drift.js'
import {parseVersion} from '../../src/core/version.js'

const drift = (running: string, requested: string, extra: Partial<DriftInput> = {}) =>
  clusterDrift({
    provider: 'kind',
    cluster: 'geniro-dev',
    running,
    requested: parseVersion(requested)!,
    ...extra,
  })

describe('a reused cluster that runs another Kubernetes', () => {
  it.each([
    ['v1.34.0', '1.34'],
    ['v1.34.3', '1.34'],
    ['v1.34.0', '1.34.0'],
    ['v1.34.0+k3s1', '1.34.0'],
  ])('%s for %s: no warning', (running, requested) => {
    expect(drift(running, requested)).toBeUndefined()
  })

  it.each([
    ['v1.33.1', '1.34', '1.33.1, not the 1.34 asked for'],
    ['v1.34.1', '1.34.0', '1.34.1, not the 1.34.0 asked for'],
    ['v2.0.0', '1.34', '2.0.0, not the 1.34 asked for'],
  ])('%s for %s: warns with the way out', (running, requested, words) => {
    expect(drift(running, requested)).toBe(
      `the kind cluster "geniro-dev" runs Kubernetes ${words}; it is used as it is (\`--recreate\` re-creates it with ${requested}, deleting its data)`,
    )
  })

  it('kind --node-image: the version its tag names is the one asked for', () => {
    expect(drift('v1.33.1', '1.34', {nodeImage: 'kindest/node:v1.33.1@sha256:abc'})).toBeUndefined()
    expect(drift('v1.33.1', '1.34', {nodeImage: 'registry.local/node:v1.32.5'})).toContain(
      'not the 1.32.5 asked for',
    )
    // An image whose tag names no version says nothing to compare.
    expect(drift('v1.33.1', '1.34', {nodeImage: 'registry.local/node:custom'})).toBeUndefined()
  })

  it('minikube compares with --k8s-version; an unreadable answer is no warning', () => {
    expect(drift('v1.31.0', '1.33', {provider: 'minikube'})).toContain(
      'the minikube cluster "geniro-dev" runs Kubernetes 1.31.0, not the 1.33 asked for',
    )
    expect(drift('unknown', '1.33')).toBeUndefined()
  })
})
