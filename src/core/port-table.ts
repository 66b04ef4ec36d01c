/**
 * The offset local ports of the port-forwards (docs/ARCHITECTURE.md, "Ports"): each sits well above
 * the port Compose or a local dev server uses for the same service. Only local ports live here:
 * the port a forward reaches is read from the release's Service, so a values override of a
 * Service port (`--set web.service.port=8080`) is followed.
 */
export interface OffsetPort {
  /** Chart component, also the suffix of its Service name. */
  component: string
  /** The name of the Service port a forward reaches (the chart names them; see service.yaml). */
  servicePortName: string
  /** Default local port on 127.0.0.1. */
  localPort: number
  /** The port a Compose stack or dev server usually holds, which the offset avoids. */
  avoids: number
  /** Only forwarded when the component is enabled (Daytona is off by default). */
  optional?: boolean
}

export const OFFSET_PORTS: readonly OffsetPort[] = [
  {component: 'api', servicePortName: 'http', localPort: 15000, avoids: 5000},
  {component: 'web', servicePortName: 'http', localPort: 14173, avoids: 4173},
  {component: 'litellm', servicePortName: 'http', localPort: 14000, avoids: 4000},
  {component: 'keycloak', servicePortName: 'http', localPort: 18080, avoids: 8080},
  {component: 'postgresql', servicePortName: 'postgresql', localPort: 15432, avoids: 5432},
  {component: 'redis', servicePortName: 'redis', localPort: 16379, avoids: 6379},
  {component: 'qdrant', servicePortName: 'http', localPort: 16333, avoids: 6333},
  {
    component: 'daytona-api',
    servicePortName: 'http',
    localPort: 13986,
    avoids: 3986,
    optional: true,
  },
  {
    component: 'daytona-proxy',
    servicePortName: 'http',
    localPort: 13987,
    avoids: 3987,
    optional: true,
  },
]
