import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {
  contentTag,
  enableHint,
  imageBlock,
  imageComponentEnabled,
  localImageValues,
  parseImageAssignments,
  parseImageReference,
  planLocalImage,
  requireImageName,
  runsImage,
  summarizeLocalImages,
  withImageBlock,
} from '../../src/core/image-override.js'

const ID = `sha256:${'0123456789abcdef'.repeat(4)}`
const OTHER_ID = `sha256:${'fedcba9876543210'.repeat(4)}`

describe('image references', () => {
  it('normalises names as Docker does', () => {
    expect(parseImageReference('geniro-api')).toEqual({
      domain: 'docker.io',
      path: 'library/geniro-api',
    })
    expect(parseImageReference('razumru/geniro-api:1.17.2-latest')).toEqual({
      domain: 'docker.io',
      path: 'razumru/geniro-api',
      tag: '1.17.2-latest',
    })
    expect(parseImageReference('localhost:5000/team/api:dev')).toEqual({
      domain: 'localhost:5000',
      path: 'team/api',
      tag: 'dev',
    })
    expect(parseImageReference('localhost/api')).toEqual({domain: 'localhost', path: 'api'})
    expect(parseImageReference('ghcr.io/o/r@' + ID)).toEqual({
      domain: 'ghcr.io',
      path: 'o/r',
      digest: ID,
    })
  })

  it('refuses what is not a name, and accepts image IDs', () => {
    for (const bad of ['Bad Name', 'UPPER/case', 'api:', ':tag', 'a//b', ''])
      expect(() => requireImageName(bad), bad).toThrow(UsageError)
    expect(() => requireImageName(ID)).not.toThrow()
    expect(() => requireImageName('0123456789ab')).not.toThrow()
  })

  it('a content tag is gdev- and 12 hex of the ID, never latest', () => {
    expect(contentTag(ID)).toBe('gdev-0123456789ab')
    expect(contentTag(OTHER_ID)).not.toBe(contentTag(ID))
    expect(() => contentTag('latest')).toThrow()
  })
})

describe('--image', () => {
  it('takes COMPONENT=IMAGE once per component', () => {
    expect(parseImageAssignments(['api=geniro-api:dev', 'daytona-api=x'])).toEqual([
      {component: 'api', image: 'geniro-api:dev'},
      {component: 'daytona-api', image: 'x'},
    ])
    expect(() => parseImageAssignments(['api'])).toThrow(/is not COMPONENT=IMAGE/)
    expect(() => parseImageAssignments(['=x'])).toThrow(/is not COMPONENT=IMAGE/)
    expect(() => parseImageAssignments(['nope=x'])).toThrow(/unknown component "nope"/)
    expect(() => parseImageAssignments(['api=a', 'api=b'])).toThrow(/names api twice/)
  })
})

describe('planLocalImage', () => {
  it('points the component at the content tag under the image’s own repository', () => {
    const plan = planLocalImage({component: 'api', source: 'geniro-api:dev', imageId: ID})
    expect(plan.reference).toBe('geniro-api:gdev-0123456789ab')
    expect(plan.image).toEqual({
      registry: 'docker.io',
      repository: 'library/geniro-api',
      tag: 'gdev-0123456789ab',
      digest: '',
      pullPolicy: 'IfNotPresent',
    })
    expect(localImageValues([plan])).toEqual({api: {image: plan.image}})
  })

  it('an image ID alone gets geniro-dev/<component>; a registry stays', () => {
    expect(planLocalImage({component: 'web', source: ID, imageId: ID}).reference).toBe(
      'geniro-dev/web:gdev-0123456789ab',
    )
    const local = planLocalImage({component: 'web', source: 'localhost:5000/web:x', imageId: ID})
    expect(local.reference).toBe('localhost:5000/web:gdev-0123456789ab')
    expect(local.image).toMatchObject({registry: 'localhost:5000', repository: 'web'})
  })

  it('with global.imageRegistry the tag is created under that registry, as the chart renders it', () => {
    const plan = planLocalImage({
      component: 'api',
      source: 'api:dev',
      imageId: ID,
      globalRegistry: 'mirror.example',
    })
    expect(plan.reference).toBe('mirror.example/library/api:gdev-0123456789ab')
  })

  it('a Daytona component’s block is nested; a build not yet run shows a placeholder', () => {
    const plan = planLocalImage({component: 'daytona-runner', source: 'r:1'})
    expect(plan.reference).toBe('r:gdev-<image ID>')
    expect(plan.imageId).toBeUndefined()
    expect(localImageValues([plan])).toEqual({daytona: {runner: {image: plan.image}}})
  })
})

describe('enabled components', () => {
  it('follows the chart defaults: on, Daytona off', () => {
    expect(imageComponentEnabled({}, 'api')).toBe(true)
    expect(imageComponentEnabled({api: {enabled: false}}, 'api')).toBe(false)
    expect(imageComponentEnabled({}, 'daytona-api')).toBe(false)
    expect(imageComponentEnabled({daytona: {enabled: true}}, 'daytona-api')).toBe(true)
    expect(
      imageComponentEnabled({daytona: {enabled: true, proxy: {enabled: false}}}, 'daytona-proxy'),
    ).toBe(false)
    expect(enableHint('daytona-api')).toBe(
      '--set daytona.enabled=true --set daytona.api.enabled=true',
    )
    expect(enableHint('web')).toBe('--set web.enabled=true')
  })
})

describe('putting the published image back', () => {
  const plan = planLocalImage({component: 'api', source: 'api:dev', imageId: ID})

  it('restores the earlier block, or removes the block and the maps it leaves empty', () => {
    const earlier = {tag: '1.18.0'}
    const values = {api: {replicaCount: 2, image: {tag: '1.18.0'}}, web: {apiUrl: 'x'}}
    const loaded = {...values, api: {replicaCount: 2, image: plan.image}}
    expect(runsImage(loaded, 'api', plan.image)).toBe(true)
    expect(runsImage(values, 'api', plan.image)).toBe(false)
    expect(imageBlock(values, 'api')).toEqual(earlier)
    expect(withImageBlock(loaded, 'api', earlier)).toEqual(values)
    expect(
      withImageBlock({api: {image: plan.image}, web: {apiUrl: 'x'}}, 'api', undefined),
    ).toEqual({
      web: {apiUrl: 'x'},
    })
    // The input is not changed.
    expect(loaded.api.image).toBe(plan.image)
  })

  it('summarises which kept images the release runs', () => {
    const record = {
      component: 'api' as const,
      source: 'api:dev',
      reference: plan.reference,
      loadedAt: 't',
      image: plan.image,
    }
    expect(summarizeLocalImages([record], {api: {image: plan.image}})).toEqual([
      {component: 'api', image: 'api:dev', reference: plan.reference, loadedAt: 't', running: true},
    ])
    expect(summarizeLocalImages([record], undefined)[0]!.running).toBe(false)
  })
})
