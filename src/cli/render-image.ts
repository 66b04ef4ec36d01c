import type {ImageComponent} from '../core/image-override.js'
import type {ImageListResult, ImageLoadResult, ImageResetResult} from '../services/image.js'

/** What `image load` and `build` did, in three lines. */
export function renderLoaded(result: ImageLoadResult): string {
  return [
    `Image    ${result.image} loaded into the ${result.provider} cluster "${result.cluster}" as ${result.reference}`,
    `Release  "${result.release}": ${result.releaseAction === 'unchanged' ? `unchanged (${result.component} runs it already)` : `upgraded; ${result.component} runs ${result.reference}`}`,
    `Kept for later \`up\` runs; \`geniro-dev image reset --component ${result.component}\` goes back to the published image.`,
  ].join('\n')
}

/** `image`: the kept local images, one per component. */
export function renderImageList(result: ImageListResult): string {
  return result.images.length === 0
    ? `No local images: release "${result.release}" runs the published ones.`
    : [
        'COMPONENT       RUNNING  IMAGE (AS)',
        ...result.images.map(
          (i) =>
            `${i.component.padEnd(15)} ${(i.running ? 'yes' : 'no').padEnd(8)} ${i.image} (${i.reference})`,
        ),
      ].join('\n')
}

/** `image reset`: which images were dropped and what the release did. */
export function renderImageReset(result: ImageResetResult, component?: ImageComponent): string {
  if (result.reset.length === 0)
    return `No local image was kept${component ? ` for ${component}` : ''}; nothing to reset.`
  return [
    `Local images dropped: ${result.reset.join(', ')}`,
    `Release  "${result.release}": ${RELEASE_WORDS[result.releaseAction]}`,
  ].join('\n')
}

const RELEASE_WORDS: Record<ImageResetResult['releaseAction'], string> = {
  upgraded: 'upgraded; the published images run again',
  unchanged: 'unchanged (it ran none of them)',
  'not-installed': 'not installed; the next `up` installs the published images',
}
