import {Browser} from '../adapters/browser.js'
import {UserError} from '../core/errors.js'
import {opener, openUrl, type OpenComponent} from '../core/open-target.js'
import {locateForwards, readForwardStatus, type ForwardLocation} from '../forward/status.js'

export interface OpenInput extends ForwardLocation {
  component: OpenComponent
  /** Print the URL only (`--print`, `--json`): no browser. */
  printOnly: boolean
}

export interface OpenResult {
  component: OpenComponent
  url: string
  /** A browser was asked to open it. */
  opened: boolean
  /** Why not, when it was not. */
  reason?: string
}

/**
 * `geniro-dev open`: the component's forwarded URL, from the running forward supervisor's
 * state (no cluster call), opened in the browser. Refuses while the forward is not ready:
 * a browser pointed at a port nobody serves shows an error page that explains nothing.
 */
export async function openComponent(
  input: OpenInput,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<OpenResult> {
  const {component} = input
  const report = readForwardStatus(locateForwards(input))
  if (!report.supervisor.running) {
    throw new UserError(
      `the forwards of release "${input.release}" are not running`,
      'start them with `geniro-dev forward` (`geniro-dev up` starts them too)',
    )
  }
  const forward = report.forwards.find((f) => f.name === component)
  if (!forward) {
    throw new UserError(
      `there is no forward for ${component}`,
      'the forwards were started without it (--only, or it is disabled): `geniro-dev forward stop`, then `geniro-dev forward`',
    )
  }
  if (forward.state !== 'ready') {
    throw new UserError(
      `the ${component} forward is ${forward.state}${forward.lastError ? ` (${forward.lastError})` : ''}`,
      '`geniro-dev forward status` shows the tunnels; a forward is ready again by itself once its pod is',
    )
  }
  const url = openUrl(component, forward.localPort)
  if (input.printOnly) return {component, url, opened: false, reason: 'asked to print it'}
  const program = opener(platform, env)
  if ('none' in program) return {component, url, opened: false, reason: program.none}
  const outcome = await new Browser(program.file).open(url)
  return outcome.opened
    ? {component, url, opened: true}
    : {component, url, opened: false, reason: outcome.reason}
}
