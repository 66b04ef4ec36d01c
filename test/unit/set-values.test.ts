import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {mergeValues, parseSet} from '../../src/core/set-values.js'

describe('--set parsing, as Helm does it', () => {
  it.each([
    ['a=b', {a: 'b'}],
    ['api.replicaCount=2', {api: {replicaCount: 2}}],
    ['a.b=true,a.c=false,a.d=null', {a: {b: true, c: false, d: null}}],
    ['name=x\\,y', {name: 'x,y'}],
    ['tag=1.17.2-latest', {tag: '1.17.2-latest'}],
    ['port=007', {port: '007'}],
    ['list={a,b,3}', {list: ['a', 'b', 3]}],
    ['empty={}', {empty: ['']}],
    ['hosts[0].host=x,hosts[1].host=y', {hosts: [{host: 'x'}, {host: 'y'}]}],
    [
      'commonLabels.app\\.kubernetes\\.io/team=core',
      {commonLabels: {'app.kubernetes.io/team': 'core'}},
    ],
    ['url=http://a:80/x?y=1', {url: 'http://a:80/x?y=1'}],
    ['a=', {a: ''}],
  ])('%s', (argument, expected) => {
    expect(parseSet(argument)).toEqual(expected)
  })

  it.each(['novalue', 'a..b=1', 'a[x]=1', 'a[0]=1,a.b=2', 'a[99999999]=1'])(
    'refuses %s with one clear line',
    (argument) => {
      expect(() => parseSet(argument)).toThrowError(UsageError)
      expect(() => parseSet(argument)).toThrowError(new RegExp(`^bad --set`))
    },
  )

  it('ignores a pair without a key, as Helm does', () => {
    expect(parseSet('=x,a=1')).toEqual({a: 1})
  })
})

describe('merging values layers', () => {
  it('merges maps recursively and replaces everything else, later wins', () => {
    const base = {api: {replicaCount: 1, image: {tag: 'a'}}, list: [1, 2], keep: true}
    const override = {api: {image: {tag: 'b'}}, list: [3]}
    expect(mergeValues(base, override)).toEqual({
      api: {replicaCount: 1, image: {tag: 'b'}},
      list: [3],
      keep: true,
    })
    expect(base.api.image.tag).toBe('a')
  })
})
