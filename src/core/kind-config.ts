import {isMap, isSeq, parseDocument} from 'yaml'
import {validateClusterName} from './cluster.js'
import {checkedNodeImage} from './kind-node-image.js'

export const KIND_CONFIG_API_VERSION = 'kind.x-k8s.io/v1alpha4'

export interface KindConfigInput {
  name: string
  nodeImage: string
}

/**
 * Fills the cluster name and node image into the kind config template
 * (templates/kind-config.yaml, read by the adapter), keeping its comments. The template must
 * stay a v1alpha4 Cluster with exactly one control-plane node and no extraPortMappings;
 * anything else is a bug in the shipped template and throws a plain Error.
 */
export function renderKindConfig(input: KindConfigInput, template: string): string {
  validateClusterName(input.name)
  const image = checkedNodeImage(input.nodeImage)
  const doc = parseDocument(template)
  if (doc.errors.length > 0) {
    throw new Error(`kind config template does not parse: ${doc.errors[0]!.message}`)
  }
  if (doc.get('kind') !== 'Cluster' || doc.get('apiVersion') !== KIND_CONFIG_API_VERSION) {
    throw new Error(`kind config template is not a ${KIND_CONFIG_API_VERSION} Cluster`)
  }
  const nodes = doc.get('nodes')
  if (!isSeq(nodes) || nodes.items.length !== 1) {
    throw new Error('kind config template must have exactly one node')
  }
  const node = nodes.items[0]
  if (!isMap(node) || node.get('role') !== 'control-plane') {
    throw new Error('kind config template’s node must be the control-plane')
  }
  if (node.has('extraPortMappings')) {
    throw new Error('kind config template must not publish ports (extraPortMappings)')
  }
  doc.set('name', input.name)
  node.set('image', image)
  return doc.toString()
}
