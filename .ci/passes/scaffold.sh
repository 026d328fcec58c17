#!/usr/bin/env bash
# CI's scaffold pass: the README's "Adding a resource", as a user would run it, on a throwaway
# clone of this commit. Its own scaffold command (read from the README) writes exactly three
# files and, run again, changes nothing; the result passes lint, typecheck and the tests that
# concern a new resource; then the README's requests run against the started server and give
# the statuses it shows.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh

scratch=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
git clone --quiet . "$scratch/enclave"
cd "$scratch/enclave"
pnpm install --frozen-lockfile --prefer-offline >/dev/null

scaffold=$(node scripts/readme-block.mjs scaffold-example)
echo "ci: scaffold: $scaffold"
bash -euo pipefail -c "$scaffold"
touched=$(git status --porcelain --untracked-files=all | awk '{print $2}' | sort | tr '\n' ' ')
migration=$(cd apps/server/src/db/migrations && ls | grep -- '-create-expenses\.ts$')
expected="apps/server/src/db/migrations/$migration packages/contract/src/expenses.ts packages/contract/src/registry.ts "
if [ "$touched" != "$expected" ]; then
  echo "ci: the scaffold touched '$touched', expected '$expected'" >&2
  exit 1
fi
bash -euo pipefail -c "$scaffold" | grep -q 'already scaffolded' || {
  echo "ci: running the scaffold again did not leave the resource as it was" >&2
  exit 1
}
[ "$(git status --porcelain --untracked-files=all | awk '{print $2}' | sort | tr '\n' ' ')" = "$touched" ]

pnpm lint
pnpm typecheck
# What a new resource brings: its table against its declaration, its routes, its contract and
# its documentation. The engine behind them is the same as in the main passes.
env -u DATABASE_URL -u TEST_DATABASE_URL npx vitest run \
  apps/server/src/resources/registered-resources.test.ts packages/contract apps/server/src/http/openapi.test.ts

# The README's requests, against the server the scaffold's user would start.
node scripts/bootstrap.mjs
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
PORT=$port DATA_DIR="$scratch/data" node apps/server/dist/main.js >"$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.5
done
requests=$(node scripts/readme-block.mjs scaffold-requests)
statuses=$(API="http://127.0.0.1:$port" bash -euo pipefail -c '
  call() { ANSWER=$(curl -s -w " %{http_code}" "$@"); printf "%s %s\n" "${ANSWER##* }" "${ANSWER% *}"; }
  account="{\"email\": \"ci-$$@example.com\", \"password\": \"correct horse battery staple\"}"
  curl -sf -X POST "$API/auth/register" -H "Content-Type: application/json" -d "$account" >/dev/null
  TOKEN=$(curl -sf -X POST "$API/auth/login" -H "Content-Type: application/json" -d "$account" |
    node -p "JSON.parse(require(\"fs\").readFileSync(0, \"utf8\")).access_token")
  ME=$(curl -sf "$API/auth/me" -H "Authorization: Bearer $TOKEN" |
    node -p "JSON.parse(require(\"fs\").readFileSync(0, \"utf8\")).id")
  eval "$0"
' "$requests" | awk '{print $1}' | tr '\n' ' ')
echo "ci: the README's expense requests answered: $statuses"
if [ "$statuses" != "201 201 201 200 400 " ]; then
  tail -n 20 "$scratch/server.log" >&2
  exit 1
fi
