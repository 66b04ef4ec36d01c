import type {ImageLoadResult} from '../services/image.js'

/** What `image load` and `build` did, in three lines. */
export function renderLoaded(result: ImageLoadResult): string {
  return [
    `Image    ${result.image} loaded into the ${result.provider} cluster "${result.cluster}" as ${result.reference}`,
    `Release  "${result.release}": ${result.releaseAction === 'unchanged' ? `unchanged (${result.component} runs it already)` : `upgraded; ${result.component} runs ${result.reference}`}`,
    `Kept for later \`up\` runs; \`geniro-dev image reset --component ${result.component}\` goes back to the published image.`,
  ].join('\n')
}
