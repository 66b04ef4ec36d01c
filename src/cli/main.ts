// The oclif entry of the built CLI. bin/run.js imports it only when neither the root help nor
// a fast path answered, so oclif (bundled with the commands into shared chunks, one copy) is
// loaded only then.
import {execute} from '@oclif/core'

/** Runs oclif for the package whose bin script is at `binUrl`. */
export async function run(binUrl: string): Promise<void> {
  await execute({dir: binUrl})
}
