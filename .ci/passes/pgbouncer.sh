#!/usr/bin/env bash
# Through PgBouncer in transaction mode, as a pooled deployment runs (docs/scaling.md#pgbouncer):
# Debian's package on a free loopback port in front of the machine's PostgreSQL. Debian 12's is
# 1.18, which cannot keep named prepared statements in that mode, hence DATABASE_PREPARED=off.
# Databases are made on PostgreSQL itself (TEST_DATABASE_DIRECT_URL). The tests that run
# statements through the pool: the resource engine, accounts, idempotency, the resources' own
# rules, and what only PostgreSQL does (*.pg.test.ts: migrations racing, timeouts, prepared
# statements, outages).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib.sh
pgbouncer_bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$pgbouncer_bin" ] || apt_install pgbouncer pgbouncer || true
if [ ! -x "$pgbouncer_bin" ]; then
  echo "ci: pgbouncer: unavailable (not installed, and no apt-get to install it as root); left out" >&2
  exit 0
fi
pgbouncer_dir=$(mktemp -d)
pgbouncer_pid=
stop_pgbouncer() {
  [ "$1" = 0 ] || tail -n 40 "$pgbouncer_dir/pgbouncer.log" >&2 || true
  [ -z "$pgbouncer_pid" ] || kill "$pgbouncer_pid" 2>/dev/null || true
  rm -rf "$pgbouncer_dir"
}
trap 'stop_pgbouncer $?' EXIT
# Its configuration, for pg_url's server and user; prints the URL that goes through it.
pooled_url=$(node - "$pg_url" "$pgbouncer_dir" <<'JS'
const { writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const [url, dir] = process.argv.slice(2);
const server = new URL(url);
const quoted = (text) => `"${decodeURIComponent(text).replaceAll('"', '""')}"`;
const free = createServer().listen(0, '127.0.0.1', () => {
  const { port } = free.address();
  free.close();
  writeFileSync(`${dir}/userlist.txt`, `${quoted(server.username || 'postgres')} ${quoted(server.password)}\n`);
  writeFileSync(`${dir}/pgbouncer.ini`, [
'[databases]',
`* = host=${server.hostname.replace(/^\[|\]$/g, '')} port=${server.port || 5432}`,
'[pgbouncer]',
'listen_addr = 127.0.0.1',
`listen_port = ${port}`,
'unix_socket_dir =',
'auth_type = trust',
`auth_file = ${dir}/userlist.txt`,
'pool_mode = transaction',
'default_pool_size = 20',
'max_client_conn = 500',
`logfile = ${dir}/pgbouncer.log`,
'',
  ].join('\n'));
  const pooled = new URL(url);
  pooled.hostname = '127.0.0.1';
  pooled.port = String(port);
  process.stdout.write(pooled.toString());
});
JS
)
pooled_port=$(node -p 'new URL(process.argv[1]).port' "$pooled_url")
# PgBouncer refuses to run as root: as root, it runs as PostgreSQL's user (or nobody).
run_as=
if [ "$(id -u)" = 0 ]; then
  run_user=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
  run_as="-u $run_user"
  chown -R "$run_user" "$pgbouncer_dir"
fi
# shellcheck disable=SC2086 # run_as is empty or two words
"$pgbouncer_bin" -q $run_as "$pgbouncer_dir/pgbouncer.ini" &
pgbouncer_pid=$!
for _ in $(seq 1 40); do pg_isready -q -h 127.0.0.1 -p "$pooled_port" && break; sleep 0.25; done
if ! pg_isready -q -h 127.0.0.1 -p "$pooled_port"; then
  echo "ci: PgBouncer did not start; its log:" >&2
  cat "$pgbouncer_dir/pgbouncer.log" >&2 || true
  exit 1
fi
echo "ci: pgbouncer: the engine, accounts, idempotency and PostgreSQL's own tests through $("$pgbouncer_bin" --version | head -n 1) (transaction pooling), Node $(node -v)"
TEST_DATABASE_URL=$pooled_url TEST_DATABASE_DIRECT_URL=$pg_url DATABASE_PREPARED=off \
  npx vitest run apps/server/src/resources apps/server/src/accounts apps/server/src/idempotency \
  apps/server/src/tasks apps/server/src/projects .pg.test.ts \
  --exclude 'apps/server/src/changes/changes-instances.pg.test.ts' # LISTEN needs a direct connection (DATABASE_LISTEN_URL), never a transaction pooler
