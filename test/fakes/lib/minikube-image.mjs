// `minikube image load IMAGE... -p P [--daemon] [--overwrite=false]`, faked for an image from
// the engine (cmd/minikube/cmd/image.go, pkg/minikube/machine/cache_images.go): the image is
// cached from the Docker daemon (a missing one fails with GUEST_IMAGE_LOAD, exit 80), then
// loaded into the profile's node when it runs; a stopped node is skipped without a word (the
// real one loads it on the next start, and "live pushes are not considered a failure"). With
// --overwrite=false a node that has the name keeps it. Success prints nothing (klog only).
// What the node holds is kept as the kind fake keeps it: cluster `loadedImages`.
import path from 'node:path'
import {homedir} from 'node:os'
import {die, docker, isTrue, loadCluster, saveCluster, withLock} from './common.mjs'
import {sanitizeImage} from './kind-load.mjs'

/** reason.ExProgramUsage, reason.ExGuestError (GUEST_IMAGE_LOAD). */
const EX_USAGE = 14
const EX_GUEST_ERROR = 80

export function imageLoad({profile, flags, images}) {
  if (images.length === 0)
    die(
      'X Exiting due to MK_USAGE: Please provide an image in your local daemon to load into minikube via <minikube image load IMAGE_NAME>',
      EX_USAGE,
    )
  const cluster = loadCluster(`minikube-${profile}`)
  if (!cluster) {
    const home = process.env.MINIKUBE_HOME || path.join(process.env.HOME || homedir(), '.minikube')
    die(
      `X Exiting due to MK_USAGE: loading profile: open ${path.join(home, 'profiles', profile, 'config.json')}: no such file or directory`,
      EX_USAGE,
    )
  }
  if (isTrue(flags, 'remote') && !isTrue(flags, 'daemon'))
    die(
      'geniro-dev fake minikube: image load --remote is not supported (nothing can be pulled here)',
    )
  const overwrite = !flags.has('overwrite') || isTrue(flags, 'overwrite')
  const ids = images.map((image) => {
    const inspect = docker(['image', 'inspect', '--format', '{{.Id}}', image])
    if (inspect.code !== 0)
      die(
        `X Exiting due to GUEST_IMAGE_LOAD: Failed to load image: save to dir: caching images: caching image "${image}": ${inspect.stderr.trim()}`,
        EX_GUEST_ERROR,
      )
    return inspect.stdout.trim()
  })
  const node = docker(['inspect', '--format', '{{.State.Running}}', cluster.name])
  if (!cluster.running || node.stdout.trim() !== 'true') process.exit(0)
  withLock('clusters', () => {
    const current = loadCluster(cluster.id)
    const held = ((current.loadedImages ??= {})[current.name] ??= {})
    for (const [i, image] of images.entries()) {
      const name = sanitizeImage(image)
      if (!overwrite && held[name]) continue
      held[name] = ids[i]
    }
    saveCluster(current)
  })
  process.exit(0)
}
