// What `geniro-dev open` opens, and with which program. Pure.
import {UsageError} from './errors.js'

/** The components a browser can use, each at the page worth opening. */
const PAGES = {
  web: '/',
  // The API has no page at its root (404): its health check says it answers.
  api: '/health/check',
  keycloak: '/',
  litellm: '/',
} as const

export type OpenComponent = keyof typeof PAGES
export const OPEN_COMPONENTS = Object.keys(PAGES) as OpenComponent[]

export function parseOpenComponent(name: string): OpenComponent {
  if (Object.hasOwn(PAGES, name)) return name as OpenComponent
  throw new UsageError(`cannot open "${name}"`, `use one of: ${OPEN_COMPONENTS.join(', ')}`)
}

/**
 * The forwarded URL: localhost, not 127.0.0.1, because the realm's redirect URIs, the API's
 * CORS origins and the web app's API URL are localhost origins (the forward listens on
 * 127.0.0.1, which localhost reaches).
 */
export function openUrl(component: OpenComponent, localPort: number): string {
  return `http://localhost:${localPort}${PAGES[component]}`
}

/** The program that opens a URL in the user's browser, or why there is none. */
export type Opener = {file: string} | {none: string}

export function opener(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Opener {
  if (platform === 'darwin') return {file: 'open'}
  if (platform === 'win32') return {none: 'opening a browser is not supported on Windows'}
  // Without a display xdg-open falls back to a text browser in this very terminal.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY)
    return {none: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)'}
  return {file: 'xdg-open'}
}
