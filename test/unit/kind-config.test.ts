import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {UsageError} from '../../src/core/errors.js'
import {renderKindConfig} from '../../src/core/kind-config.js'
import {
  KIND_NODE_IMAGES,
  kindNodeImage,
  supportedKindMinors,
} from '../../src/core/kind-node-image.js'
import {parseTargetKubernetes} from '../../src/core/kubernetes.js'

const TEMPLATE = readFileSync(new URL('../../templates/kind-config.yaml', import.meta.url), 'utf8')

interface KindNode {
  role: string
  image?: string
  extraPortMappings?: unknown
}

function render(name = 'geniro-dev', nodeImage = 'kindest/node:v1.34.0') {
  const text = renderKindConfig({name, nodeImage}, TEMPLATE)
  return {text, config: parse(text) as Record<string, unknown> & {nodes: KindNode[]}}
}

describe('the kind cluster config', () => {
  it('is a kind v1alpha4 Cluster with one control-plane node', () => {
    const {config} = render()
    expect(config.kind).toBe('Cluster')
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4')
    expect(config.nodes).toHaveLength(1)
    expect(config.nodes[0]!.role).toBe('control-plane')
  })

  it('carries the cluster name and the node image', () => {
    const {config} = render('my-cluster', 'kindest/node:v1.31.12')
    expect(config.name).toBe('my-cluster')
    expect(config.nodes[0]!.image).toBe('kindest/node:v1.31.12')
  })

  it('publishes no host port: no extraPortMappings and no NodePort settings', () => {
    const {config} = render()
    expect(config.nodes[0]!.extraPortMappings).toBeUndefined()
    expect(JSON.stringify(config)).not.toMatch(/extraPortMappings|nodePort|node-port/i)
    expect(Object.keys(config).sort()).toEqual(['apiVersion', 'kind', 'name', 'nodes'])
    expect(Object.keys(config.nodes[0]!).sort()).toEqual(['image', 'role'])
  })

  it('keeps the template’s comments', () => {
    expect(render().text).toContain('there are no extraPortMappings and no')
  })

  it('refuses an invalid cluster name', () => {
    expect(() => render('Not_A_Name')).toThrow(UsageError)
  })

  it('refuses a template that would publish ports', () => {
    const template = TEMPLATE.replace(
      'role: control-plane',
      'role: control-plane\n    extraPortMappings: [{containerPort: 30000, hostPort: 30000}]',
    )
    expect(() =>
      renderKindConfig({name: 'geniro-dev', nodeImage: 'kindest/node:v1.34.0'}, template),
    ).toThrow(/extraPortMappings/)
  })

  it('refuses a template with a second node', () => {
    const template = `${TEMPLATE}  - role: worker\n`
    expect(() =>
      renderKindConfig({name: 'geniro-dev', nodeImage: 'kindest/node:v1.34.0'}, template),
    ).toThrow(/exactly one node/)
  })
})

describe('the kind node image', () => {
  it.each([
    ['1.34', 'kindest/node:v1.34.0'],
    ['1.33', 'kindest/node:v1.33.4'],
    ['v1.32', 'kindest/node:v1.32.8'],
    ['1.27', 'kindest/node:v1.27.16'],
  ])('--k8s-version %s runs the pinned image %s', (version, image) => {
    expect(kindNodeImage(version)).toBe(image)
  })

  it('runs exactly the patch version given', () => {
    expect(kindNodeImage('1.33.2')).toBe('kindest/node:v1.33.2')
    expect(kindNodeImage('1.33.0')).toBe('kindest/node:v1.33.0')
    expect(kindNodeImage(parseTargetKubernetes('1.33.2'))).toBe('kindest/node:v1.33.2')
  })

  it('reads a parsed version with patch 0 as the minor’s pin (parsing loses "1.33" vs "1.33.0")', () => {
    expect(kindNodeImage(parseTargetKubernetes('1.33'))).toBe('kindest/node:v1.33.4')
    expect(kindNodeImage(parseTargetKubernetes('1.34.0'))).toBe('kindest/node:v1.34.0')
  })

  it('prefers an explicit node image', () => {
    expect(kindNodeImage('1.33', 'registry.local/kindest/node:v1.33.4')).toBe(
      'registry.local/kindest/node:v1.33.4',
    )
    expect(kindNodeImage('1.99', ' my/node:dev ')).toBe('my/node:dev')
  })

  it('refuses an empty node image', () => {
    expect(() => kindNodeImage('1.33', '  ')).toThrow(UsageError)
  })

  it('says which minors it supports when a minor has no pinned image', () => {
    const error = (() => {
      try {
        kindNodeImage('1.35')
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain('1.35')
    expect((error as UsageError).hint).toContain('1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34')
    expect(() => kindNodeImage(parseTargetKubernetes('1.35'))).toThrow(UsageError)
  })

  it('refuses text that is not a version', () => {
    expect(() => kindNodeImage('latest')).toThrow(UsageError)
  })

  it('pins tags only, each a kindest/node image of its own minor', () => {
    expect(supportedKindMinors()).toEqual(Object.keys(KIND_NODE_IMAGES).sort(byMinor))
    for (const [minor, image] of Object.entries(KIND_NODE_IMAGES)) {
      expect(image).toMatch(new RegExp(`^kindest/node:v${minor.replace('.', '\\.')}\\.\\d+$`))
    }
  })
})

function byMinor(a: string, b: string): number {
  return Number(a.split('.')[1]) - Number(b.split('.')[1])
}
