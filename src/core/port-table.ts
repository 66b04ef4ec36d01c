/**
 * The offset local ports of the port-forwards (docs/ARCHITECTURE.md, "Ports"): each sits well above
 * the port Compose or a local dev server uses for the same service.
 */
export interface ForwardTarget {
  /** Chart component, also the suffix of its Service name. */
  component: string
  /** Port of the Kubernetes Service. */
  remotePort: number
  /** Default local port on 127.0.0.1. */
  localPort: number
  /** The port a Compose stack or dev server usually holds, which the offset avoids. */
  avoids: number
  /** Only forwarded when the component is enabled (Daytona is off by default). */
  optional?: boolean
}

export const FORWARD_TARGETS: readonly ForwardTarget[] = [
  {component: 'api', remotePort: 5000, localPort: 15000, avoids: 5000},
  {component: 'web', remotePort: 4173, localPort: 14173, avoids: 4173},
  {component: 'litellm', remotePort: 4000, localPort: 14000, avoids: 4000},
  {component: 'keycloak', remotePort: 80, localPort: 18080, avoids: 8080},
  {component: 'postgresql', remotePort: 5432, localPort: 15432, avoids: 5432},
  {component: 'redis', remotePort: 6379, localPort: 16379, avoids: 6379},
  {component: 'qdrant', remotePort: 6333, localPort: 16333, avoids: 6333},
  {component: 'daytona-api', remotePort: 3986, localPort: 13986, avoids: 3986, optional: true},
  {component: 'daytona-proxy', remotePort: 80, localPort: 13987, avoids: 3987, optional: true},
]
