#!/usr/bin/env bash
# A Docker engine for CI and for a developer on a machine without one (docs/testing.md).
#
#   source .ci/docker-engine.sh; docker_engine_start; ...; docker_engine_stop
#   .ci/docker-engine.sh start | stop | status      (standalone; state in $ENCLAVE_DOCKER_DIR)
#
# docker_engine_start uses an engine that already answers (DOCKER_HOST, else the default
# socket) and otherwise installs Debian's docker.io when missing (root, apt-get) and starts a
# dockerd of its own: overlay2 (vfs builds took 10x longer here), its data root, socket and
# pidfile in one folder, DOCKER_HOST exported to that socket. So it never meets another
# engine on the machine, and docker_engine_stop removes everything it made. The data root is
# thrown away with it: images worth keeping are cached as files (scripts/local-images.sh).

# Debian's client: another `docker` on PATH (e.g. /usr/local/bin) may not talk to this engine.
DOCKER=${DOCKER:-/usr/bin/docker}

docker_engine_dir=
docker_engine_pid=

docker_engine_answers() {
  [ -x "$DOCKER" ] && timeout 10 "$DOCKER" info >/dev/null 2>&1
}

docker_engine_install() {
  if [ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ]; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "docker-engine: no dockerd, and no apt-get as root to install docker.io" >&2
    return 1
  fi
  echo "docker-engine: installing docker.io with apt-get" >&2
  local log=/tmp/enclave-docker-install.log
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io ||
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io; }; } \
    >"$log" 2>&1 || {
    echo "docker-engine: apt-get could not install docker.io ($log)" >&2
    return 1
  }
}

# Starts (or finds) an engine; exports DOCKER_HOST when it starts one. $1: the state folder
# (default: a new temporary one).
docker_engine_start() {
  if docker_engine_answers; then
    echo "docker-engine: using the engine that answers (${DOCKER_HOST:-the default socket})" >&2
    return 0
  fi
  docker_engine_install || return 1
  docker_engine_dir=${1:-$(mktemp -d /tmp/enclave-docker.XXXXXX)}
  mkdir -p "$docker_engine_dir"
  local sock=unix://$docker_engine_dir/docker.sock
  # --ip: a port published without an address (`-p 3000:3000`, testcontainers) binds to
  # loopback only, so nothing a run starts is reachable from outside this machine.
  /usr/sbin/dockerd \
    --host "$sock" \
    --data-root "$docker_engine_dir/data" \
    --exec-root "$docker_engine_dir/exec" \
    --pidfile "$docker_engine_dir/dockerd.pid" \
    --storage-driver overlay2 \
    --ip 127.0.0.1 \
    --shutdown-timeout 5 \
    >"$docker_engine_dir/dockerd.log" 2>&1 &
  docker_engine_pid=$!
  echo "$docker_engine_pid" >"$docker_engine_dir/engine.pid"
  export DOCKER_HOST=$sock
  for _ in $(seq 1 60); do
    docker_engine_answers && break
    kill -0 "$docker_engine_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! docker_engine_answers; then
    echo "docker-engine: dockerd did not answer; its log:" >&2
    tail -n 30 "$docker_engine_dir/dockerd.log" >&2
    docker_engine_stop
    return 1
  fi
  echo "docker-engine: dockerd $("$DOCKER" version -f '{{.Server.Version}}') on $sock" >&2
}

# Stops the engine docker_engine_start started (none if it found one), then removes its folder.
# $1: the state folder, when called from another shell than the one that started it.
docker_engine_stop() {
  local dir=${1:-$docker_engine_dir} pid=$docker_engine_pid
  [ -n "$dir" ] || return 0
  [ -n "$pid" ] || pid=$(cat "$dir/engine.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # It stops its containers first (--shutdown-timeout), then containerd.
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # A killed engine leaves overlay and shm mounts under its data root: unmount, deepest first.
  grep -o " $dir/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n 1 umount -l 2>/dev/null || true
  rm -rf "$dir" 2>/dev/null || true
  docker_engine_dir=
  docker_engine_pid=
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  dir=${ENCLAVE_DOCKER_DIR:-/tmp/enclave-docker}
  case ${1:-} in
    start)
      docker_engine_start "$dir"
      echo "export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}"
      ;;
    stop) docker_engine_stop "$dir" ;;
    status) docker_engine_answers && "$DOCKER" version -f 'dockerd {{.Server.Version}}' ;;
    *)
      echo "usage: $0 start|stop|status   (state folder: \$ENCLAVE_DOCKER_DIR, default /tmp/enclave-docker)" >&2
      exit 2
      ;;
  esac
fi
