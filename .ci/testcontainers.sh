#!/usr/bin/env bash
# CI's testcontainers pass: the whole suite with PostgreSQL and Redis in containers started by
# testcontainers (no TEST_DATABASE_URL, no TEST_REDIS_URL), from the local images
# (npm run images:local), then proof that no run leaves a container behind: not a normal one,
# not one interrupted by Ctrl-C (SIGINT to its process group) in the middle, not one killed.
#
#   .ci/testcontainers.sh            (a Docker engine answering: .ci/docker-engine.sh)
#
# Run it on Node >= 22.19 (testcontainers 12 does not load on Node 20): .ci/run puts Node 24
# first on PATH. TEST_CONTAINERS=required makes a run fail, not fall back, without Docker.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKER=${DOCKER:-/usr/bin/docker}
RUN_LABEL=enclave.test-run # apps/server/test/containers.ts

export TEST_CONTAINERS=required
# This machine is itself a container (/.dockerenv), so testcontainers would look for the ports
# it publishes at the bridge's gateway; the engine publishes them on this machine's loopback.
export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
export TEST_POSTGRES_IMAGE=${TEST_POSTGRES_IMAGE:-enclave-local/postgres:15}
export TEST_REDIS_IMAGE=${TEST_REDIS_IMAGE:-enclave-local/redis:7}
unset DATABASE_URL TEST_DATABASE_URL TEST_DATABASE_DIRECT_URL TEST_REDIS_URL

run_containers() { "$DOCKER" ps -aq --filter "label=$RUN_LABEL"; }

# Fails unless every container of the runs is gone within $1 seconds.
expect_no_containers() {
  local within=$1 what=$2
  for _ in $(seq 1 $((within * 2))); do
    [ -z "$(run_containers)" ] && { echo "ci: $what: no test container left"; return 0; }
    sleep 0.5
  done
  echo "ci: $what: test containers left behind:" >&2
  "$DOCKER" ps -a --filter "label=$RUN_LABEL" >&2
  return 1
}

if [ -n "$(run_containers)" ]; then
  echo "ci: containers of an earlier test run are still there; removing them first" >&2
  run_containers | xargs -r "$DOCKER" rm -f -v >/dev/null
fi

echo "ci: test suite with PostgreSQL ($TEST_POSTGRES_IMAGE) and Redis ($TEST_REDIS_IMAGE) in testcontainers containers on Node $(node -v)"
started=$SECONDS
# Its own coverage folder: other passes may write coverage/ at the same time.
npm test -- --coverage.reportsDirectory=coverage/containers
echo "ci: testcontainers pass took $((SECONDS - started))s"
expect_no_containers 10 "after the whole suite"

# An interrupted run: vitest in a process group of its own, as a terminal runs it, stopped with
# `signal` once its containers run and its tests are under way.
interrupted_run() {
  local signal=$1 log pid
  log=$(mktemp)
  setsid node node_modules/vitest/vitest.mjs run >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    grep -q '✓' "$log" 2>/dev/null && [ -n "$(run_containers)" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [ -z "$(run_containers)" ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "ci: the run to interrupt never had its containers running; its output:" >&2
    tail -n 30 "$log" >&2
    rm -f "$log"
    return 1
  fi
  echo "ci: $(run_containers | wc -l) test containers running, tests under way; SIG$signal to the run"
  kill "-$signal" -- "-$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
  expect_no_containers 15 "after SIG$signal in the middle of a run"
}
interrupted_run INT
interrupted_run KILL
