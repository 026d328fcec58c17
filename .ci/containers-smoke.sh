#!/usr/bin/env bash
# CI's container smokes: the image the Dockerfile builds, then compose.yaml with its database
# and cache, each used as a user would through the port it publishes on 127.0.0.1.
#
#   .ci/containers-smoke.sh [image|compose]...   (default: both; a Docker engine answering,
#                                                  the local images loaded: npm run images:local)
#
# The image: built on enclave-local/node:24-bookworm-slim; no source maps, tests, TypeScript
# sources or dev dependencies inside; ready within 30 s on the embedded database; register →
# sign in → create → list; `id -u` not 0, the data folder private; `docker stop` under load
# exits 0 within 10 s with no request failed. compose.yaml + compose.local.yaml, with Debian's
# docker-compose: up, the same flow, down, up, and the data is still there.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-/usr/bin/docker}
COMPOSE=${COMPOSE:-docker-compose}
NODE_IMAGE=${NODE_IMAGE:-enclave-local/node:24-bookworm-slim}
IMAGE=enclave:local # compose.local.yaml's, so compose runs the image built here
run=smoke-$$-$RANDOM
smoke=$PWD/.ci/smoke
scratch=$(mktemp -d)
app=enclave-$run
net=enclave-$run
project=enclave$$$RANDOM
compose_env=$scratch/compose.env

say() { echo "ci: containers: $*"; }
fail() { echo "ci: containers: $*" >&2; exit 1; }
compose() { "$COMPOSE" -p "$project" --env-file "$compose_env" -f compose.yaml -f compose.local.yaml "$@"; }

cleanup() {
  "$DOCKER" rm -f -v "$app" "$app-load" >/dev/null 2>&1 || true
  "$DOCKER" network rm "$net" >/dev/null 2>&1 || true
  [ -f "$compose_env" ] && compose down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# Polls http://127.0.0.1:$1/readyz until it answers 200; prints the seconds it took from $2.
until_ready() {
  local port=$1 since=$2 limit=$3
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    [ $((SECONDS - since)) -lt "$limit" ] || return 1
    sleep 0.2
  done
  echo $((SECONDS - since))
}

health_of() { "$DOCKER" inspect -f '{{.State.Health.Status}}' "$1"; }
published_port() { "$DOCKER" port "$1" 3000/tcp | head -n 1 | sed 's/.*://'; }
secret() { node -e "process.stdout.write(require('crypto').randomBytes($1).toString('$2'))"; }

smoke_image() {
  local started=$SECONDS
  say "building $IMAGE on $NODE_IMAGE"
  # The host's network: the build stage installs from the npm registry as this machine does.
  "$DOCKER" build -q --network host --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$IMAGE" . >/dev/null
  local bytes
  bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
  say "built in $((SECONDS - started))s: $((bytes / 1000000)) MB (on a $(($("$DOCKER" image inspect -f '{{.Size}}' "$NODE_IMAGE") / 1000000)) MB base)"

  # Nothing a running server does not need.
  local extra
  extra=$("$DOCKER" run --rm --mount type=tmpfs,destination=/data --entrypoint sh "$IMAGE" -c \
    'find /app \( -name "*.map" -o -name "*.test.*" -o -name "*.ts" -o -name "tsconfig*.json" \
       -o -type d \( -name test -o -name tests \) \) -print; ls -d /app/apps/*/src 2>/dev/null;
     ls /app/apps/server/node_modules/.pnpm | grep -E "^(@?vitest|typescript|testcontainers|@testcontainers|eslint|vite|@types\+express|autocannon)" || true')
  [ -z "$extra" ] || fail "the image holds what it should not: $(echo "$extra" | head -n 5)"

  "$DOCKER" network create "$net" >/dev/null
  started=$SECONDS
  "$DOCKER" run -d --name "$app" --network "$net" --network-alias app -p 127.0.0.1::3000 \
    --health-interval 2s -e JWT_SECRET="$(secret 48 base64)" -e RATE_LIMIT=off "$IMAGE" >/dev/null
  local port ready
  port=$(published_port "$app")
  ready=$(until_ready "$port" "$started" 30) || {
    "$DOCKER" logs "$app" 2>&1 | tail -n 20 >&2
    fail "the image was not ready within 30 s"
  }
  say "image ready in ${ready}s on the embedded database (127.0.0.1:$port)"
  for _ in $(seq 1 30); do [ "$(health_of "$app")" = healthy ] && break; sleep 1; done
  [ "$(health_of "$app")" = healthy ] || fail "its HEALTHCHECK says $(health_of "$app")"

  node "$smoke/api-smoke.mjs" flow "http://127.0.0.1:$port" "ann-$run@example.com" "image $run"
  local uid modes
  uid=$("$DOCKER" exec "$app" id -u)
  [ "$uid" != 0 ] || fail "the server runs as root"
  modes=$("$DOCKER" exec "$app" sh -c 'find /data -printf "%y%m\n" | sort -u | tr "\n" " "')
  [ "$modes" = "d700 f600 " ] || fail "the data folder is not private: $modes"
  say "runs as uid $uid; the data folder is private ($modes)"

  # docker stop under load. The load runs beside the app on its network, not through the
  # published port, whose proxy would accept connections after the server has stopped and
  # so blur "refused, the server is gone" into "failed".
  "$DOCKER" run -d --name "$app-load" --network "$net" -v "$smoke:/smoke:ro" "$NODE_IMAGE" \
    node /smoke/api-smoke.mjs load http://app:3000 "ann-$run@example.com" >/dev/null
  for _ in $(seq 1 60); do "$DOCKER" logs "$app-load" 2>/dev/null | grep '^ready' >/dev/null && break; sleep 0.5; done
  "$DOCKER" logs "$app-load" 2>/dev/null | grep '^ready' >/dev/null || fail "the load never got going: $("$DOCKER" logs "$app-load" 2>&1 | tail -n 5)"
  sleep 1 # under load for a while, every connection busy
  local stop_started=$SECONDS exit_code report
  "$DOCKER" stop "$app" >/dev/null
  local stopped_in=$((SECONDS - stop_started))
  exit_code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$app")
  "$DOCKER" wait "$app-load" >/dev/null
  report=$("$DOCKER" logs "$app-load" 2>/dev/null | tail -n 1)
  say "docker stop under load: exit $exit_code in ${stopped_in}s; the load saw $report"
  [ "$exit_code" = 0 ] || fail "the server exited $exit_code on docker stop"
  [ "$stopped_in" -lt 10 ] || fail "docker stop took ${stopped_in}s"
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (r.failed !== 0 || r.answered < 40) { console.error("failed requests, or too few", r); process.exit(1); }
  ' "$report"
  "$DOCKER" logs "$app" 2>&1 | grep 'shutdown: every connection closed' >/dev/null ||
    fail "the server did not say every connection closed"
  "$DOCKER" rm -f -v "$app" "$app-load" >/dev/null
  "$DOCKER" network rm "$net" >/dev/null
}

smoke_compose() {
  command -v "$COMPOSE" >/dev/null || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing docker-compose with apt-get"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null 2>&1 ||
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose; } >/dev/null 2>&1
    fi
  }
  command -v "$COMPOSE" >/dev/null || fail "no docker-compose"
  "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 || smoke_image
  local port
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  printf 'JWT_SECRET=%s\nPOSTGRES_PASSWORD=%s\nENCLAVE_PORT=%s\n' \
    "$(secret 48 base64)" "$(secret 24 hex)" "$port" >"$compose_env"
  local started=$SECONDS ready
  say "$("$COMPOSE" version --short 2>/dev/null || "$COMPOSE" --version): up (app, postgres, redis) on 127.0.0.1:$port"
  compose up -d >"$scratch/up.log" 2>&1 || { cat "$scratch/up.log" >&2; fail "compose up failed"; }
  ready=$(until_ready "$port" "$started" 90) || { compose logs --tail 20 >&2; fail "not ready within 90 s"; }
  say "compose: ready in ${ready}s (PostgreSQL initialised, healthy, then the app)"
  node "$smoke/api-smoke.mjs" flow "http://127.0.0.1:$port" "bob-$run@example.com" "compose $run"
  compose logs app 2>&1 | grep '"rate_limit":"in Redis' >/dev/null || fail "the app does not count its rate limits in Redis"

  compose down >"$scratch/down.log" 2>&1 || { cat "$scratch/down.log" >&2; fail "compose down failed"; }
  started=$SECONDS
  compose up -d >"$scratch/up.log" 2>&1 || { cat "$scratch/up.log" >&2; fail "compose up (again) failed"; }
  ready=$(until_ready "$port" "$started" 90) || { compose logs --tail 20 >&2; fail "not ready again within 90 s"; }
  say "compose: down, then up again: ready in ${ready}s"
  node "$smoke/api-smoke.mjs" check "http://127.0.0.1:$port" "bob-$run@example.com" "compose $run"
  compose down -v >/dev/null 2>&1
}

for part in "${@:-image compose}"; do
  for step in $part; do
    case $step in
      image) smoke_image ;;
      compose) smoke_compose ;;
      *) fail "unknown part $step (image or compose)" ;;
    esac
  done
done
say "passed"
