#!/usr/bin/env bash
# The web app in a real browser (apps/web/e2e): Debian's Chromium (Playwright's own browser
# download cannot reach its host here), driving the built app served by the built server, on
# a fresh PostgreSQL database.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$chromium" ] || apt_install chromium chromium || true
echo "ci: e2e: the web app in $("$chromium" --version 2>/dev/null || echo 'no Chromium')"
if postgres_answers; then
  TEST_DATABASE_URL=$pg_url npm run test:e2e
else
  env -u DATABASE_URL -u TEST_DATABASE_URL npm run test:e2e
fi
