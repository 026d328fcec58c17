#!/usr/bin/env bash
# The reference pass: the README's test command, every test with coverage (its thresholds
# enforced), on this machine's PostgreSQL and Redis, on the machine's Node.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
echo "ci: postgres: the whole suite with coverage on PostgreSQL and Redis, Node $(node -v)"
TEST_DATABASE_URL=$pg_url TEST_REDIS_URL=$redis_url npm test
