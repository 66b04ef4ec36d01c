// `kind load docker-image IMAGE... [--name N] [--nodes a,b]`, faked: the real one saves the
// images with `docker save` and imports them into each node's containerd with
// `docker exec --privileged`, which this sandbox refuses. The fake keeps kind's checks and
// words (sigs.k8s.io/kind pkg/cmd/kind/load/docker-image/docker-image.go): every image must be
// in the engine (`docker image inspect -f {{ .Id }}`), the cluster must have nodes, and a node
// that already holds the image ID under that name is skipped. What each node holds is kept in
// the fake cluster's state, `loadedImages: {"<node>": {"<sanitized name>": "<image ID>"}}`, so
// tests see what was loaded, and a deleted cluster forgets it as a real one would.
import {
  KIND_CLUSTER_LABEL,
  all,
  die,
  docker,
  err,
  last,
  loadCluster,
  parseFlags,
  runCaptured,
  saveCluster,
  withLock,
} from './common.mjs'

export function loadDockerImage(argv, realKind) {
  // The real kind judges the flags with its own words.
  const check = runCaptured(realKind, [...argv, '--help'])
  if (check.code !== 0) {
    err(check.stderr)
    process.exit(check.code)
  }
  const {flags, positionals} = parseFlags(argv, {
    value: ['name', 'nodes', 'verbosity', 'loglevel'],
    bool: ['quiet', 'help'],
    short: {n: 'name', v: 'verbosity', q: 'quiet', h: 'help'},
  })
  const images = [...new Set(positionals.slice(2))]
  if (images.length === 0) die('ERROR: a list of image names is required')
  const name = last(flags, 'name') || process.env.KIND_CLUSTER_NAME || 'kind'
  const quiet = flags.has('quiet') && last(flags, 'quiet') !== 'false'
  const log = (line) => {
    if (!quiet) err(`${line}\n`)
  }

  const ids = images.map((image) => {
    const inspect = docker(['image', 'inspect', '-f', '{{ .Id }}', image])
    const lines = inspect.stdout.split('\n').filter(Boolean)
    if (inspect.code !== 0 || lines.length !== 1)
      die(`ERROR: image: "${image}" not present locally`)
    return lines[0]
  })
  const listed = docker([
    'ps',
    '-a',
    '--filter',
    `label=${KIND_CLUSTER_LABEL}=${name}`,
    '--format',
    '{{.Names}}',
  ])
  const nodes = listed.stdout.split('\n').filter(Boolean).sort()
  if (listed.code !== 0 || nodes.length === 0) die(`ERROR: no nodes found for cluster "${name}"`)
  const wanted = all(flags, 'nodes')
    .flatMap((n) => n.split(','))
    .filter(Boolean)
  for (const node of wanted) if (!nodes.includes(node)) die(`ERROR: unknown node: "${node}"`)
  const candidates = wanted.length > 0 ? wanted : nodes

  withLock('clusters', () => {
    const cluster = loadCluster(`kind-${name}`)
    if (!cluster) die(`ERROR: no nodes found for cluster "${name}"`)
    const held = (cluster.loadedImages ??= {})
    for (const [i, image] of images.entries()) {
      const id = ids[i]
      const tag = sanitizeImage(image)
      const selected = []
      let retagged = false
      for (const node of candidates) {
        const onNode = (held[node] ??= {})
        if (onNode[tag] === id) continue
        if (Object.values(onNode).includes(id)) {
          log(
            `Image with ID: ${id} already present on the node ${node} but is missing the tag ${tag}. re-tagging...`,
          )
          onNode[tag] = id
          retagged = true
          continue
        }
        log(`Image: "${image}" with ID "${id}" not yet present on node "${node}", loading...`)
        selected.push(node)
      }
      if (selected.length === 0 && !retagged)
        log(`Image: "${image}" with ID "${id}" found to be already present on all nodes.`)
      for (const node of selected) held[node][tag] = id
    }
    saveCluster(cluster)
  })
  process.exit(0)
}

/** kind's sanitizeImage: the name containerd stores (docker.io/library/…, :latest added). */
export function sanitizeImage(image) {
  let name = image.includes('/') ? image : `library/${image}`
  const slash = name.indexOf('/')
  const first = name.slice(0, slash)
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost')) name = `docker.io/${name}`
  const hasTag = name.lastIndexOf(':') > name.lastIndexOf('/')
  if (!hasTag && !name.includes('@')) name += ':latest'
  return name
}
