import type {TestProject} from 'vitest/node'
import {PrivateDockerd} from './dockerd.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string
  }
}

/** One private dockerd shared by every suite that needs an engine. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dockerd = new PrivateDockerd()
  await dockerd.start()
  project.provide('dockerHost', dockerd.host)
  return () => dockerd.stop()
}
