/**
 * A real PostgreSQL image for the tests, built locally (nothing can be pulled here): a rootfs
 * holding the PostgreSQL binaries, the shared libraries their loader lists, busybox and a small
 * entrypoint that behaves like the official image's (POSTGRES_USER / POSTGRES_PASSWORD /
 * POSTGRES_DB, scram-sha-256, listen on '*', /docker-entrypoint-initdb.d/*.sql on first boot),
 * imported with `docker import`.
 *
 * 'pg17-pgvector' comes from Debian trixie's packages that scripts/toolchain.sh unpacks (with
 * trixie's own glibc, newer than the host's: it only runs inside the container); 'pg15' is the
 * machine's own PostgreSQL, which has no pgvector, like a Compose stack on `postgres:15`.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {
  chmodSync,
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {TOOLCHAIN_DIR, dockerCli, requireTool} from './toolchain.js'

export type PostgresFlavour = 'pg17-pgvector' | 'pg15'

interface Source {
  /** Where the packages' files live: the trixie dpkg -x root, or the host itself. */
  sysroot: string
  major: number
}

const SOURCES: Record<PostgresFlavour, Source> = {
  'pg17-pgvector': {sysroot: path.join(TOOLCHAIN_DIR, 'trixie-postgres', 'root'), major: 17},
  pg15: {sysroot: '/', major: 15},
}

/** Bump when the rootfs layout changes, so a daemon that keeps images gets a fresh one. */
const LAYOUT_REVISION = 1
const BUSYBOX = '/bin/busybox'
const APPLETS = ['sh', 'cat', 'chmod', 'chown', 'id', 'ls', 'mkdir', 'mktemp', 'rm', 'sleep', 'su']
const BINARIES = ['postgres', 'initdb', 'pg_ctl', 'psql', 'pg_isready']
/** The JIT needs libLLVM, which the toolchain leaves out on purpose (jit = off). */
const SKIPPED_LIB_ENTRIES = new Set(['bitcode', 'llvmjit.so', 'llvmjit_types.bc'])
const POSTGRES_UID = 999

const ARCH: Record<string, {triplet: string; loader: string; interp: string}> = {
  x64: {
    triplet: 'x86_64-linux-gnu',
    loader: 'ld-linux-x86-64.so.2',
    interp: '/lib64/ld-linux-x86-64.so.2',
  },
  arm64: {
    triplet: 'aarch64-linux-gnu',
    loader: 'ld-linux-aarch64.so.1',
    interp: '/lib/ld-linux-aarch64.so.1',
  },
}

const ENTRYPOINT = `#!/bin/sh
# Like the official postgres image: initialise on first boot from POSTGRES_*, then run.
set -eu
: "\${PGDATA:=/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec su -s /bin/sh postgres -c 'exec "$0" "$@"' "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "\${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user="\${POSTGRES_USER:-postgres}"
  db="\${POSTGRES_DB:-$user}"
  pwfile="$(mktemp)"
  printf '%s\\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C \\
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  printf "listen_addresses = '*'\\njit = off\\n" >>"$PGDATA/postgresql.conf"
  # A socket-only server while the init scripts run: clients see no TCP port until it is ready.
  pg_ctl -D "$PGDATA" -w -s -o "-c listen_addresses=''" start
  if [ "$db" != postgres ]; then
    psql -X -q -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" <<'SQL'
CREATE DATABASE :"db";
SQL
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) psql -X -q -v ON_ERROR_STOP=1 --username="$user" --dbname="$db" -f "$f" ;;
      *.sh) . "$f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -w -s -m fast stop
fi
exec postgres -D "$PGDATA" "$@"
`

function docker(dockerHost: string, args: string[]): string {
  return execFileSync(dockerCli(), args, {
    env: {...process.env, DOCKER_HOST: dockerHost},
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  })
}

function imageExists(dockerHost: string, tag: string): boolean {
  try {
    docker(dockerHost, ['image', 'inspect', tag])
    return true
  } catch {
    return false
  }
}

function archFacts(): {triplet: string; loader: string; interp: string} {
  const facts = ARCH[process.arch]
  if (!facts) throw new Error(`no PostgreSQL test image for ${process.arch}`)
  return facts
}

/** The sysroot's own dynamic loader: trixie's glibc cannot be listed by the host's ldd. */
function loaderOf(sysroot: string): string {
  const {triplet, loader} = archFacts()
  const candidates = [
    path.join(sysroot, 'usr/lib', triplet, loader),
    path.join(sysroot, 'lib', triplet, loader),
  ]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (!found) throw new Error(`no ${loader} under ${sysroot}: run \`bash scripts/toolchain.sh\``)
  return found
}

/**
 * soname → file, for every shared library `file` needs, as `ld.so --list` (what ldd runs)
 * resolves them. A library found outside the sysroot means the toolchain is incomplete.
 */
function sharedLibraries(sysroot: string, file: string): Map<string, string> {
  const {triplet} = archFacts()
  const libraryPath = [path.join(sysroot, 'usr/lib', triplet), path.join(sysroot, 'lib', triplet)]
  const out = execFileSync(
    loaderOf(sysroot),
    ['--library-path', libraryPath.join(':'), '--list', file],
    {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']},
  )
  const libraries = new Map<string, string>()
  for (const line of out.split('\n')) {
    const match = /^\s*(\S+) => (\S+) \(0x/.exec(line)
    // The loader itself is listed by path; it is copied to the binaries' PT_INTERP path.
    if (!match || match[1]!.includes('/')) continue
    const [, soname, resolved] = match as unknown as [string, string, string]
    if (sysroot !== '/' && !resolved.startsWith(sysroot)) {
      throw new Error(
        `${path.basename(file)} needs ${soname}, found only on the host (${resolved}): ` +
          'the trixie PostgreSQL toolchain is incomplete',
      )
    }
    libraries.set(soname, resolved)
  }
  return libraries
}

function isElf(file: string): boolean {
  const head = Buffer.alloc(4)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, head, 0, 4, 0)
  } finally {
    closeSync(fd)
  }
  return head.toString('latin1') === '\x7fELF'
}

function buildRootfs(source: Source, root: string): void {
  const {sysroot, major} = source
  const {triplet, interp} = archFacts()
  const binDir = path.join(sysroot, `usr/lib/postgresql/${major}/bin`)
  const libDir = path.join(sysroot, `usr/lib/postgresql/${major}/lib`)
  const shareDir = path.join(sysroot, `usr/share/postgresql/${major}`)
  requireTool(path.join(binDir, 'postgres'))

  const into = (...parts: string[]): string => path.join(root, ...parts)
  for (const dir of ['bin', 'etc', 'tmp', 'docker-entrypoint-initdb.d', 'var/lib/postgresql'])
    mkdirSync(into(dir), {recursive: true})
  chmodSync(into('tmp'), 0o1777)

  copyFileSync(requireTool(BUSYBOX), into('bin/busybox'))
  chmodSync(into('bin/busybox'), 0o755)
  for (const applet of APPLETS) symlinkSync('busybox', into('bin', applet))

  const targetBin = into(`usr/lib/postgresql/${major}/bin`)
  mkdirSync(targetBin, {recursive: true})
  for (const binary of BINARIES)
    copyFileSync(path.join(binDir, binary), path.join(targetBin, binary))
  cpSync(libDir, into(`usr/lib/postgresql/${major}/lib`), {
    recursive: true,
    dereference: true,
    filter: (src) => !SKIPPED_LIB_ENTRIES.has(path.basename(src)),
  })
  cpSync(shareDir, into(`usr/share/postgresql/${major}`), {recursive: true, dereference: true})
  const zoneinfo = path.join(sysroot, 'usr/share/zoneinfo')
  for (const zone of ['UTC', 'Etc/UTC']) {
    if (!existsSync(path.join(zoneinfo, zone))) continue
    mkdirSync(path.dirname(into('usr/share/zoneinfo', zone)), {recursive: true})
    copyFileSync(realpathSync(path.join(zoneinfo, zone)), into('usr/share/zoneinfo', zone))
  }

  // Every library any binary or module needs, copied under its soname.
  const libraries = new Map<string, string>()
  const elves = [
    ...BINARIES.map((binary) => path.join(targetBin, binary)),
    ...listFiles(into(`usr/lib/postgresql/${major}/lib`)).filter((file) => file.endsWith('.so')),
  ].filter(isElf)
  for (const file of elves)
    for (const [soname, resolved] of sharedLibraries(sysroot, file)) libraries.set(soname, resolved)
  const targetLib = into('usr/lib', triplet)
  mkdirSync(targetLib, {recursive: true})
  for (const [soname, resolved] of libraries)
    copyFileSync(realpathSync(resolved), path.join(targetLib, soname))
  mkdirSync(into(path.dirname(interp)), {recursive: true})
  copyFileSync(realpathSync(loaderOf(sysroot)), into(interp))

  writeFileSync(
    into('etc/passwd'),
    `root:x:0:0:root:/root:/bin/sh\npostgres:x:${POSTGRES_UID}:${POSTGRES_UID}:PostgreSQL:/var/lib/postgresql:/bin/sh\n`,
  )
  writeFileSync(into('etc/group'), `root:x:0:\npostgres:x:${POSTGRES_UID}:\n`)
  mkdirSync(into('usr/local/bin'), {recursive: true})
  writeFileSync(into('usr/local/bin/docker-entrypoint.sh'), ENTRYPOINT, {mode: 0o755})
}

function listFiles(dir: string): string[] {
  return execFileSync('find', [dir, '-type', 'f'], {encoding: 'utf8'}).split('\n').filter(Boolean)
}

/** A tag that changes whenever what goes into the image changes. */
function imageTag(flavour: PostgresFlavour, source: Source): string {
  const postgres = statSync(
    path.join(source.sysroot, `usr/lib/postgresql/${source.major}/bin/postgres`),
  )
  const digest = createHash('sha256')
    .update(`${LAYOUT_REVISION}\n${flavour}\n${postgres.size}\n${postgres.mtimeMs}\n${ENTRYPOINT}`)
    .digest('hex')
    .slice(0, 12)
  return `geniro-dev-test-postgres:${flavour}-${digest}`
}

/**
 * Builds the image once per daemon (the tag carries a digest of its inputs, so an existing tag
 * is reused) and returns its tag. Fails loudly when the toolchain is missing.
 */
export async function ensurePostgresImage(
  dockerHost: string,
  flavour: PostgresFlavour = 'pg17-pgvector',
): Promise<string> {
  const source = SOURCES[flavour]
  requireTool(path.join(source.sysroot, `usr/lib/postgresql/${source.major}/bin/postgres`))
  const tag = imageTag(flavour, source)
  if (imageExists(dockerHost, tag)) return tag

  const work = mkdtempSync(path.join(tmpdir(), 'gdev-pg-rootfs-'))
  try {
    const root = path.join(work, 'root')
    buildRootfs(source, root)
    const tarball = path.join(work, 'rootfs.tar')
    execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', tarball, '.'])
    const bin = `/usr/lib/postgresql/${source.major}/bin`
    docker(dockerHost, [
      'import',
      '--change',
      `ENV PATH=${bin}:/usr/local/bin:/bin`,
      '--change',
      'ENV PGDATA=/var/lib/postgresql/data',
      '--change',
      'ENV TZ=UTC',
      '--change',
      'EXPOSE 5432',
      '--change',
      'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
      tarball,
      tag,
    ])
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
  return tag
}
