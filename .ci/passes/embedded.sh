#!/usr/bin/env bash
# What a fresh clone with only Node runs: the README's test command with no database server
# and no Docker, every test on the embedded database (PGlite) but those that need PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "ci: embedded: the whole suite on the embedded database, Node $(node -v)"
env -u DATABASE_URL -u TEST_DATABASE_URL -u TEST_REDIS_URL TEST_CONTAINERS=off npm test \
  -- --coverage.reportsDirectory=coverage/embedded # its own: the postgres pass writes coverage/ meanwhile
