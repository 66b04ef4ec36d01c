/**
 * Models a Compose project with a large file off the main thread (see compose-detect's
 * fileModels), so that the main thread stays free to stop at Ctrl-C.
 */
import {parentPort, workerData} from 'node:worker_threads'
import type {ComposeSources} from '../adapters/compose-files.js'
import {UserError} from '../core/errors.js'
import {fileModelsHere, type ComposeDetectInput} from './compose-detect.js'

const {sources, input} = workerData as {
  sources: ComposeSources
  input: Omit<ComposeDetectInput, 'signal'>
}
try {
  parentPort?.postMessage({ok: true, project: await fileModelsHere(sources, input)})
} catch (error) {
  parentPort?.postMessage(
    error instanceof UserError
      ? {ok: false, message: error.message, hint: error.hint}
      : {
          ok: false,
          internal: error instanceof Error ? (error.stack ?? error.message) : String(error),
        },
  )
}
