import type {TestProject} from 'vitest/node'
import {PrivateDockerd} from './dockerd.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string
  }
}

/**
 * One private dockerd shared by every suite that needs an engine. GENIRO_TEST_DOCKER_HOST
 * points the suites at one already running instead (two test daemons in one network
 * namespace fight over docker0 and the DOCKER iptables chains).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = process.env.GENIRO_TEST_DOCKER_HOST
  if (shared) {
    project.provide('dockerHost', shared)
    return async () => {}
  }
  const dockerd = new PrivateDockerd()
  await dockerd.start()
  project.provide('dockerHost', dockerd.host)
  return () => dockerd.stop()
}
