#!/usr/bin/env bash
# CI's containers step, whole (docs/testing.md): a Docker engine (.ci/docker-engine.sh: the one
# that answers, else Debian's docker.io started as root with a throwaway data root), the local
# images (npm run images:local: built from Debian's packages, or loaded from their cache), the
# whole suite with PostgreSQL and Redis in testcontainers containers (.ci/testcontainers.sh),
# the image and compose smokes (.ci/containers-smoke.sh); the engine stopped at the end, also
# on failure. Exits 3, having done nothing, when no Docker engine can be had.
#
#   .ci/containers.sh [<folder holding a node >= 22.19>]   (testcontainers 12 needs it)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
# shellcheck source=.ci/docker-engine.sh
source .ci/docker-engine.sh
docker_engine_start || exit 3
trap docker_engine_stop EXIT

images_started=$SECONDS
npm run -s images:local
echo "ci: local images ready in $((SECONDS - images_started))s"
(
  if [ -n "${1:-}" ]; then export PATH="$1:$PATH"; fi
  .ci/testcontainers.sh
)
.ci/containers-smoke.sh
echo "ci: containers step (engine, images, testcontainers pass, smokes) took $((SECONDS - started))s"
