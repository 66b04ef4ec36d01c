import {describe, expect, it} from 'vitest'
import {firstLogin, releaseFullname} from '../../src/core/first-login.js'
import {serviceUrls} from '../../src/core/forward-urls.js'

const TARGET = {release: 'geniro', namespace: 'geniro', kubeContext: 'kind-geniro-dev'}
const SEEDED = {keycloak: {realm: {seedUser: {enabled: true}}}}

describe('the first login up prints', () => {
  it('names the web URL, the seeded user and the kubectl command that prints its password', () => {
    const login = firstLogin(SEEDED, TARGET, serviceUrls(SEEDED))
    expect(login).toEqual({
      url: 'http://localhost:14173',
      username: 'geniro',
      secret: 'geniro-secrets',
      key: 'keycloak-seed-user-password',
      passwordCommand: [
        'kubectl',
        '--context',
        'kind-geniro-dev',
        '--namespace',
        'geniro',
        'get',
        'secret',
        'geniro-secrets',
        '--output',
        'go-template={{index .data "keycloak-seed-user-password" | base64decode}}',
      ],
    })
  })

  it('follows the forward port, the user name and an existing Secret the values give', () => {
    const values = {
      existingSecret: 'my-secrets',
      keycloak: {realm: {seedUser: {enabled: true, username: 'ada'}}},
    }
    const login = firstLogin(values, TARGET, serviceUrls(values, {web: 14174}))
    expect([login?.url, login?.username, login?.secret]).toEqual([
      'http://localhost:14174',
      'ada',
      'my-secrets',
    ])
  })

  it('is absent when nobody is seeded, Keycloak is off, or the web app is off', () => {
    expect(firstLogin({}, TARGET, serviceUrls({}))).toBeUndefined()
    const noKeycloak = {...SEEDED, keycloak: {...SEEDED.keycloak, enabled: false}}
    expect(firstLogin(noKeycloak, TARGET, serviceUrls(noKeycloak))).toBeUndefined()
    const noWeb = {...SEEDED, web: {enabled: false}}
    expect(firstLogin(noWeb, TARGET, serviceUrls(noWeb))).toBeUndefined()
  })
})

describe('releaseFullname mirrors the chart’s geniro.fullname', () => {
  it.each([
    ['geniro', {}, 'geniro'],
    ['my-geniro-dev', {}, 'my-geniro-dev'],
    ['team-a', {}, 'team-a-geniro'],
    ['team-a', {nameOverride: 'app'}, 'team-a-app'],
    ['team-a', {fullnameOverride: 'platform-'}, 'platform'],
    ['x'.repeat(70), {}, 'x'.repeat(63)],
  ])('release %s with %j → %s', (release, values, expected) => {
    expect(releaseFullname(release, values)).toBe(expected)
  })
})
