import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {kubectlSkew, parseTargetKubernetes} from '../../src/core/kubernetes.js'
import {parseVersion} from '../../src/core/version.js'

describe('--k8s-version', () => {
  it.each(['1.27', '1.27.0', 'v1.34.2', '1.40'])('accepts %s', (text) => {
    expect(parseTargetKubernetes(text).major).toBe(1)
  })

  it.each(['1.26.9', '1.20', '0.9'])('refuses %s below the chart floor with a hint', (text) => {
    expect(() => parseTargetKubernetes(text)).toThrowError(UsageError)
    expect(() => parseTargetKubernetes(text)).toThrowError(/below the chart's minimum 1\.27\.0/)
  })

  it.each(['latest', '1', 'one.two', '1.30.0; rm -rf /'])('refuses %s as not a version', (text) => {
    expect(() => parseTargetKubernetes(text)).toThrowError(/is not a Kubernetes version/)
  })
})

describe('kubectl skew', () => {
  const v = (text: string) => parseVersion(text)!
  it('is the signed minor difference', () => {
    expect(kubectlSkew(v('1.34.5'), v('1.34.0'))).toBe(0)
    expect(kubectlSkew(v('1.35.0'), v('1.34.0'))).toBe(1)
    expect(kubectlSkew(v('1.32.3'), v('1.34.0'))).toBe(-2)
  })
  it('is infinite across majors', () => {
    expect(kubectlSkew(v('2.0.0'), v('1.34.0'))).toBe(Number.POSITIVE_INFINITY)
  })
})
