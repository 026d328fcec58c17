#!/usr/bin/env bash
# Containers (.ci/containers.sh, docs/testing.md): a Docker engine of CI's own, the images built
# from Debian's packages (cached by their inputs), Node 24's whole suite with PostgreSQL and
# Redis in testcontainers containers (testcontainers 12 does not load on Node 20), proof that
# no run leaves a container behind, and the image and compose smokes. Where no Docker engine
# can be had, Node 24 runs the suite on this machine's PostgreSQL instead, and says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
bin=$(node_bin 24)
status=0
.ci/containers.sh "$bin" || status=$?
if [ "$status" = 3 ]; then
  echo "ci: containers: no Docker engine (not root, no apt-get?): Node 24 runs the suite on PostgreSQL instead" >&2
  export PATH="$bin:$PATH"
  TEST_DATABASE_URL=$pg_url TEST_REDIS_URL=$redis_url npx vitest run
  exit 0
fi
exit "$status"
