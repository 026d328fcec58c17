#!/usr/bin/env bash
# Node 22 (an LTS users run): the suite on PostgreSQL with the newest Node 22 first on PATH, so
# npm, vitest's workers and every server process the tests start run on it. Left out: what
# does not depend on the runtime and has run in the reference pass (static checks of the
# source, the scaffold's code generation, the benchmark script).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
bin=$(node_bin 22)
export PATH="$bin:$PATH"
echo "ci: node22: the suite on PostgreSQL and Redis, Node $(node -v)"
TEST_DATABASE_URL=$pg_url TEST_REDIS_URL=$redis_url npx vitest run \
  --exclude 'apps/server/test/lint-boundaries.test.ts' \
  --exclude 'apps/server/test/import-graph.test.ts' \
  --exclude 'apps/server/src/scaffold/**' \
  --exclude 'apps/server/test/bench.test.ts'
