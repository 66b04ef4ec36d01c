import {describe, expect, it} from 'vitest'
import {validateK8sDocuments, validateK8sObject} from '../support/k8s-schema.js'

const labels = {'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'rel'}

const podSpec = {containers: [{name: 'web', image: 'nginx:1.27'}]}

/** A Deployment close to what a real chart renders, to catch false failures. */
function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {name: 'web', namespace: 'geniro', labels, annotations: {'checksum/config': 'abc'}},
    spec: {
      replicas: 2,
      revisionHistoryLimit: 3,
      selector: {matchLabels: labels},
      strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: '25%', maxUnavailable: 0}},
      template: {
        metadata: {labels},
        spec: {
          serviceAccountName: 'web',
          securityContext: {
            runAsNonRoot: true,
            fsGroup: 1000,
            seccompProfile: {type: 'RuntimeDefault'},
          },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: {matchLabels: labels},
                  },
                },
              ],
            },
          },
          nodeSelector: {'kubernetes.io/os': 'linux'},
          tolerations: [{key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule'}],
          initContainers: [{name: 'migrate', image: 'web:1', command: ['sh', '-c', 'migrate']}],
          containers: [
            {
              name: 'web',
              image: 'web:1',
              imagePullPolicy: 'IfNotPresent',
              args: ['--port=8080'],
              ports: [{name: 'http', containerPort: 8080, protocol: 'TCP'}],
              env: [
                {name: 'MODE', value: 'dev'},
                {name: 'PASSWORD', valueFrom: {secretKeyRef: {name: 'web', key: 'password'}}},
                {name: 'POD_IP', valueFrom: {fieldRef: {fieldPath: 'status.podIP'}}},
              ],
              envFrom: [{configMapRef: {name: 'web'}}],
              resources: {
                limits: {cpu: '500m', memory: '256Mi'},
                requests: {cpu: 0.1, memory: 128e6},
              },
              livenessProbe: {httpGet: {path: '/healthz', port: 'http'}, periodSeconds: 10},
              readinessProbe: {tcpSocket: {port: 8080}, failureThreshold: 3},
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: {drop: ['ALL']},
              },
              volumeMounts: [{name: 'config', mountPath: '/etc/web', readOnly: true}],
            },
          ],
          volumes: [
            {name: 'config', configMap: {name: 'web', items: [{key: 'a', path: 'a'}]}},
            {name: 'tmp', emptyDir: {sizeLimit: '1Gi'}},
            {name: 'data', persistentVolumeClaim: {claimName: 'web'}},
          ],
        },
      },
    },
  }
}

/** A minimal valid object per kind the chart suite relies on. */
const minimalObjects: Record<string, unknown>[] = [
  {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'c'}, data: {'app.yaml': 'a: 1'}},
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {name: 's'},
    type: 'Opaque',
    data: {password: 'cGFzcw=='},
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {name: 's'},
    spec: {selector: labels, ports: [{name: 'http', port: 80, targetPort: 'http'}]},
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {name: 'sa'},
    automountServiceAccountToken: false,
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {name: 'data'},
    spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '1Gi'}}},
  },
  {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p'}, spec: podSpec},
  deployment(),
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {name: 'db'},
    spec: {
      serviceName: 'db',
      selector: {matchLabels: labels},
      template: {metadata: {labels}, spec: podSpec},
      volumeClaimTemplates: [
        {
          metadata: {name: 'data'},
          spec: {accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '1Gi'}}},
        },
      ],
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {name: 'j'},
    spec: {backoffLimit: 1, template: {spec: {...podSpec, restartPolicy: 'Never'}}},
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {name: 'cj'},
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {spec: {template: {spec: {...podSpec, restartPolicy: 'OnFailure'}}}},
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {name: 'i'},
    spec: {
      ingressClassName: 'nginx',
      tls: [{hosts: ['a.test'], secretName: 'tls'}],
      rules: [
        {
          host: 'a.test',
          http: {
            paths: [
              {path: '/', pathType: 'Prefix', backend: {service: {name: 's', port: {number: 80}}}},
            ],
          },
        },
      ],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {name: 'np'},
    spec: {
      podSelector: {matchLabels: labels},
      policyTypes: ['Ingress'],
      ingress: [{from: [{podSelector: {}}], ports: [{port: 8080, protocol: 'TCP'}]}],
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {name: 'pdb'},
    spec: {minAvailable: 1, selector: {matchLabels: labels}},
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {name: 'hpa'},
    spec: {
      scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: 'web'},
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: {name: 'cpu', target: {type: 'Utilization', averageUtilization: 80}},
        },
      ],
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: {name: 'r'},
    rules: [{apiGroups: [''], resources: ['pods'], verbs: ['get', 'list']}],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {name: 'rb'},
    roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r'},
    subjects: [{kind: 'ServiceAccount', name: 'sa', namespace: 'geniro'}],
  },
]

/** The first container of a Deployment, to edit in place. */
function firstContainer(obj: Record<string, unknown>): Record<string, unknown> {
  const spec = obj.spec as {template: {spec: {containers: Record<string, unknown>[]}}}
  return spec.template.spec.containers[0]!
}

describe('validateK8sObject', () => {
  it('passes a valid Deployment', () => {
    expect(validateK8sObject(deployment())).toEqual({ok: true})
  })

  it.each(minimalObjects.map((obj) => [`${obj.apiVersion}/${obj.kind}`, obj]))(
    'passes a minimal valid %s',
    (_name, obj) => {
      expect(validateK8sObject(obj)).toEqual({ok: true})
    },
  )

  it('fails a misspelled field deep inside a container and names its path', () => {
    const obj = deployment()
    firstContainer(obj).imagePullPolicyy = 'Always'
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: ['/spec/template/spec/containers/0/imagePullPolicyy: unknown field'],
    })
  })

  it('fails an unknown field at the top level and in metadata', () => {
    const obj = {...deployment(), extra: 1, metadata: {name: 'web', lables: labels}}
    const result = validateK8sObject(obj)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.errors).toEqual([
      '/extra: unknown field',
      '/metadata/lables: unknown field',
    ])
  })

  it('reports only the unknown field, not what is nested under it', () => {
    const obj = deployment()
    firstContainer(obj).probe = {httpGet: {path: '/', port: 80}}
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: ['/spec/template/spec/containers/0/probe: unknown field'],
    })
  })

  it('fails a wrong type (replicas: "two")', () => {
    const obj = deployment()
    Object.assign(obj.spec as object, {replicas: 'two'})
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: ['/spec/replicas: must be integer, got "two"'],
    })
  })

  it('fails a missing required field', () => {
    const obj = deployment()
    delete firstContainer(obj).name
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: ['/spec/template/spec/containers/0/name: missing required field'],
    })
  })

  it('fails a value outside an enum', () => {
    const obj = deployment()
    firstContainer(obj).imagePullPolicy = 'Sometimes'
    const result = validateK8sObject(obj)
    expect(!result.ok && result.errors[0]).toMatch(
      /^\/spec\/template\/spec\/containers\/0\/imagePullPolicy: must be one of "Always"/,
    )
  })

  it('passes labels and annotations with arbitrary keys', () => {
    const obj = deployment()
    obj.metadata = {
      name: 'web',
      labels: {'example.com/any-key': 'x', 'weird_key.with.dots': 'y', z: ''},
      annotations: {'helm.sh/hook': 'pre-install', 'anything/at~all': 'v'},
    }
    expect(validateK8sObject(obj)).toEqual({ok: true})
  })

  it('fails a non-string label value, with the key escaped in the path', () => {
    const obj = {
      ...deployment(),
      metadata: {name: 'web', labels: {'app.kubernetes.io/version': 1.2}},
    }
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: ['/metadata/labels/app.kubernetes.io~1version: must be string, got 1.2'],
    })
  })

  it.each([['500m'], [1], ['1.5'], [0.25], ['2Gi']])('passes the quantity cpu: %s', (cpu) => {
    const obj = deployment()
    firstContainer(obj).resources = {limits: {cpu}, requests: {cpu}}
    expect(validateK8sObject(obj)).toEqual({ok: true})
  })

  it('fails a malformed quantity, in one line', () => {
    const obj = deployment()
    firstContainer(obj).resources = {limits: {memory: '1 GB'}}
    expect(validateK8sObject(obj)).toEqual({
      ok: false,
      errors: [
        '/spec/template/spec/containers/0/resources/limits/memory: must be number or match format "quantity", got "1 GB"',
      ],
    })
  })

  it('passes int-or-string fields as either', () => {
    const obj = deployment()
    Object.assign(obj.spec as object, {
      strategy: {type: 'RollingUpdate', rollingUpdate: {maxSurge: 1, maxUnavailable: '10%'}},
    })
    expect(validateK8sObject(obj)).toEqual({ok: true})
  })

  it('fails a Service with port: "80" as a string', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {name: 's'},
      spec: {ports: [{port: '80', targetPort: 8080}]},
    }
    expect(validateK8sObject(service)).toEqual({
      ok: false,
      errors: ['/spec/ports/0/port: must be integer, got "80"'],
    })
  })

  it('passes null where Kubernetes tolerates it (creationTimestamp: null)', () => {
    const obj = {...deployment(), metadata: {name: 'web', creationTimestamp: null}}
    expect(validateK8sObject(obj)).toEqual({ok: true})
  })

  it.each([
    ['example.com/v1', 'Widget'],
    ['v1', 'Nonexistent'],
    ['apps/v1', 'DeploymentSpec'],
    ['apps/v2', 'Deployment'],
    ['../../x', 'Deployment'],
  ])('fails an unknown kind %s/%s with "no schema for"', (apiVersion, kind) => {
    expect(validateK8sObject({apiVersion, kind, metadata: {name: 'x'}})).toEqual({
      ok: false,
      errors: [`no schema for ${apiVersion}/${kind}`],
    })
  })

  it('fails an object without apiVersion or kind', () => {
    expect(validateK8sObject({kind: 3})).toEqual({
      ok: false,
      errors: ['/apiVersion: missing required field', '/kind: must be string, got 3'],
    })
    expect(validateK8sObject(['not', 'an', 'object'])).toEqual({
      ok: false,
      errors: ['/: must be object, got an array'],
    })
  })

  it('gives the same answer for repeated validations of a kind (cached validator)', () => {
    const obj = deployment()
    firstContainer(obj).imagePullPolicyy = 'Always'
    const first = validateK8sObject(obj)
    expect(validateK8sObject(deployment())).toEqual({ok: true})
    expect(validateK8sObject(obj)).toEqual(first)
  })
})

describe('validateK8sDocuments', () => {
  it('validates each object of a multi-document stream and skips empty documents', () => {
    const text = [
      '---',
      '# Source: geniro/templates/configmap.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: web',
      'data:',
      '  a: "1"',
      '---',
      '# Source: geniro/templates/empty.yaml',
      '---',
      '',
      '---',
      '# Source: geniro/templates/service.yaml',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      'spec:',
      '  ports:',
      '    - port: "80"',
      '',
    ].join('\n')
    expect(validateK8sDocuments(text)).toEqual([
      {index: 0, source: 'geniro/templates/configmap.yaml', id: 'ConfigMap/web', ok: true},
      {
        index: 3,
        source: 'geniro/templates/service.yaml',
        id: 'Service/web',
        ok: false,
        errors: ['/spec/ports/0/port: must be integer, got "80"'],
      },
    ])
  })

  it('returns nothing for a stream of only empty documents', () => {
    expect(validateK8sDocuments('')).toEqual([])
    expect(validateK8sDocuments('---\n---\n# just a comment\n')).toEqual([])
  })

  it('reports a YAML syntax error as a failed document', () => {
    const [result] = validateK8sDocuments('apiVersion: v1\nkind: [ConfigMap\n')
    expect(result).toMatchObject({index: 0, id: '?/?', ok: false})
    expect(result?.ok === false && result.errors[0]).toMatch(/^YAML: /)
  })

  it('reports a duplicate key as a YAML error', () => {
    const [result] = validateK8sDocuments('apiVersion: v1\nkind: ConfigMap\nkind: Secret\n')
    expect(result?.ok === false && result.errors[0]).toMatch(/^YAML: .*unique/i)
  })
})
