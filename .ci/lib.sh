# shellcheck shell=bash
# What CI's passes share (sourced by .ci/run and each .ci/passes/*.sh): the pinned pnpm, the
# machine's PostgreSQL and Redis, Debian packages installed when missing, Node 22/24 binaries.

pnpm_version=$(node -p "require('./package.json').packageManager")
pnpm() { npx --yes "$pnpm_version" "$@"; }

pg_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
postgres_answers() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
redis_answers() { command -v redis-cli >/dev/null && redis-cli -u "$redis_url" ping >/dev/null 2>&1; }

# Installs Debian packages with apt-get as root when their command is missing; says so when it
# cannot. apt-get update runs only when an install fails without it.
apt_install() { # <log name> <package>...
  local log=/tmp/ci-apt-$1.log
  shift
  command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] || return 1
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; }; } \
    >"$log" 2>&1 || { echo "ci: apt-get could not install $* ($log)" >&2; return 1; }
}

# Node 22 and 24 are as supported as this machine's Node: the newest release of each major,
# from the npm registry's node-<platform>-<arch> package (the bare binary, no install script),
# cached outside the clone, so a later run downloads nothing until a newer release is out.
node_cache=${XDG_CACHE_HOME:-$HOME/.cache}/enclave-ci
node_package=node-$(node -p 'process.platform + "-" + process.arch')
node_bin() { # prints the folder holding Node <major>'s binary, fetching the newest if needed
  local major=$1 prefix=$node_cache/node$1 latest
  local bin=$prefix/node_modules/$node_package/bin
  latest=$(npm view "$node_package@$major" version 2>/dev/null | awk '{print $NF}' | tr -d "'" |
    sort -V | tail -n 1) || true
  if [ -z "$latest" ]; then
    if [ -x "$bin/node" ]; then
      echo "ci: npm registry unreachable; using the cached Node $("$bin/node" -v)" >&2
      echo "$bin"
      return
    fi
    echo "ci: no $node_package@$major on the npm registry, and none cached" >&2
    return 1
  fi
  if [ "$("$bin/node" -v 2>/dev/null)" != "v$latest" ]; then
    echo "ci: fetching Node $latest ($node_package) into $prefix" >&2
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "$node_package@$latest" >&2 || return 1
  fi
  echo "$bin"
}
