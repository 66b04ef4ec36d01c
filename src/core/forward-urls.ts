import {OFFSET_PORTS} from './port-table.js'
import {isMap, type Values} from './set-values.js'

export interface ServiceUrl {
  component: string
  localPort: number
  url: string
}

const SCHEMES: Record<string, string> = {postgresql: 'postgresql', redis: 'redis'}

/** Whether the chart will run a component, from the values Helm gets (chart defaults: on). */
export function componentEnabled(values: Values, component: string): boolean {
  if (component.startsWith('daytona-')) {
    const daytona = values.daytona
    return isMap(daytona) && daytona.enabled === true
  }
  const block = values[component]
  return !(isMap(block) && block.enabled === false)
}

/**
 * The offset URLs of the enabled components, as the forwards will serve them: the default
 * ports, or the ones the forwards actually use.
 */
export function serviceUrls(
  values: Values,
  ports: Readonly<Record<string, number>> = {},
): ServiceUrl[] {
  return OFFSET_PORTS.filter((target) => componentEnabled(values, target.component)).map(
    (target) => {
      const localPort = ports[target.component] ?? target.localPort
      return {
        component: target.component,
        localPort,
        // Browser-facing URLs say localhost: the chart's Keycloak redirect URIs, the API's
        // CORS origins and the web app's API URL are all localhost origins.
        url: SCHEMES[target.component]
          ? `${SCHEMES[target.component]}://127.0.0.1:${localPort}`
          : `http://localhost:${localPort}`,
      }
    },
  )
}
