// What the change log costs a write through HTTP: server plus PostgreSQL CPU per write, with
// the log on and off in the same scratch database (DATABASE_URL, which the server migrates at
// start and the bench then switches between rounds), rounds alternating on, off, off, on, on, off…
// It reports; it does not judge.
//
//   DATABASE_URL=postgres://… node apps/server/bench/change-log-cost.mjs
//     [--rounds 3] [--seconds 8] [--concurrency 16] [--workloads create,patch,churn]
//
// "Off" disables the "Change log" trigger and makes changes_lock_owner() a no-op, so the same
// build and the same server process serve both; what the server does for the log outside the
// database (its batched NOTIFY after commit) stays in both, since it cannot be switched off.
// PostgreSQL's CPU is that of every process named "postgres" on this machine: run it where
// nothing else uses the database server.
/* global fetch, performance, URL -- Node's own */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { argsOf, cpuSecondsOf, startBuiltServer, table } from './bench-kit.mjs';

const pg = createRequire(new URL('../package.json', import.meta.url))('pg');

const args = argsOf();
const ROUNDS = Number(args.rounds ?? 3);
const SECONDS = Number(args.seconds ?? 8);
const CONCURRENCY = Number(args.concurrency ?? 16);
const WORKLOADS = (args.workloads ?? 'create,patch,churn').split(',');
// A script of its own, started by hand: it reads its one setting itself.
// eslint-disable-next-line no-restricted-syntax
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (a scratch PostgreSQL database the bench may alter)');

const TABLES = ['tasks', 'projects', 'notes'];
// The body of migration 0010-change-log.ts, restored for "on"; checked against the database
// at start, so a migration that changed it fails the bench rather than measuring another lock.
const LOCK_BODY =
  "select pg_advisory_xact_lock(hashtext('enclave changes'), hashtext(owner)) is not null";
const lockFunction = (body) =>
  `create or replace function changes_lock_owner(owner text) returns boolean
   language sql volatile as $$ ${body} $$`;
const squash = (text) => text.replace(/\s+/g, ' ').trim();

const { base, pid, token, ready, stop } = startBuiltServer();

/**
 * Per pid, the CPU seconds of every postgres process. Kept per pid so that a backend that
 * starts during the window counts from zero; one that exits during it is lost, which is why
 * the load keeps the server's pool busy from before the window to after it.
 */
function postgresCpu() {
  const seconds = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'postgres') seconds.set(entry, cpuSecondsOf(entry));
  }
  return seconds;
}
function postgresCpuSince(before, after = postgresCpu()) {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** One worker's user, with tasks of its own for `patch` to change. */
async function makeUser(tasks) {
  const id = `bench-cost-${randomUUID()}`;
  const auth = `Bearer ${token(id)}`;
  const user = { id, auth, taskIds: [] };
  for (let i = 0; i < tasks; i += 1) {
    const answer = await fetch(`${base}/api/${id}/tasks`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Seeded ${i}` }),
    });
    if (answer.status !== 201) throw new Error(`seeding answered ${answer.status}`);
    user.taskIds.push((await answer.json()).id);
  }
  return user;
}

const writeBody = JSON.stringify({
  title: 'Created by change-log-cost',
  description: 'Written by apps/server/bench/change-log-cost.mjs.',
});

/** One request of `workload` for `user`; returns the statuses of the writes it made. */
async function once(workload, user) {
  const json = { authorization: user.auth, 'content-type': 'application/json' };
  if (workload === 'patch') {
    const id = user.taskIds[Math.floor(Math.random() * user.taskIds.length)];
    const complete = Math.random() < 0.5;
    const answer = await fetch(`${base}/api/${user.id}/tasks/${id}`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ title: `Patched ${id} ${complete}`, complete }),
    });
    await answer.arrayBuffer();
    return [answer.status];
  }
  const created = await fetch(`${base}/api/${user.id}/tasks`, {
    method: 'POST',
    headers: json,
    body: writeBody,
  });
  const body = await created.text();
  if (workload === 'create' || created.status !== 201) return [created.status];
  const removed = await fetch(`${base}/api/${user.id}/tasks/${JSON.parse(body).id}`, {
    method: 'DELETE',
    headers: { authorization: user.auth },
  });
  await removed.arrayBuffer();
  return [created.status, removed.status];
}

/**
 * A closed loop: every worker keeps one request in flight. CPU is read `warmupMs` after the
 * loop starts (so the pool's connections are all open and busy) and again once every worker
 * has had its last answer, `seconds` later.
 */
async function load(workload, users, seconds, warmupMs) {
  let measuring = false;
  let stopAt = Infinity;
  let ok = 0;
  const other = {};
  const workers = users.map(async (user) => {
    while (performance.now() < stopAt) {
      const statuses = await once(workload, user).catch(() => [0]);
      if (!measuring) continue;
      for (const status of statuses) {
        if (status >= 200 && status < 300) ok += 1;
        else other[status] = (other[status] ?? 0) + 1;
      }
    }
  });
  await sleep(warmupMs);
  const serverBefore = cpuSecondsOf(pid);
  const dbBefore = postgresCpu();
  const started = performance.now();
  measuring = true;
  stopAt = started + seconds * 1000;
  await Promise.all(workers);
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = cpuSecondsOf(pid) - serverBefore;
  const dbCpu = postgresCpuSince(dbBefore);
  return {
    writesPerSecond: ok / elapsed,
    other,
    serverUs: (serverCpu * 1e6) / ok,
    dbUs: (dbCpu * 1e6) / ok,
    totalUs: ((serverCpu + dbCpu) * 1e6) / ok,
  };
}

async function setLog(admin, on) {
  const body = on ? LOCK_BODY : 'select true';
  await admin.query('begin');
  for (const table of TABLES) {
    await admin.query(`alter table ${table} ${on ? 'enable' : 'disable'} trigger "Change log"`);
  }
  await admin.query(lockFunction(body));
  await admin.query('commit');
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percent = (on, off) => `${on >= off ? '+' : ''}${((on / off - 1) * 100).toFixed(1)} %`;

await ready();
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const { rows } = await admin.query(
  "select prosrc from pg_proc where proname = 'changes_lock_owner'",
);
if (rows.length !== 1 || squash(rows[0].prosrc) !== LOCK_BODY) {
  throw new Error(
    `changes_lock_owner() is not the one this bench restores (${JSON.stringify(rows)}); ` +
      'use a fresh scratch database, or update LOCK_BODY from the migration',
  );
}

const users = [];
for (let i = 0; i < CONCURRENCY; i += 1) users.push(await makeUser(20));
// Not measured: JIT warm-up of every workload's code path, both ways.
for (const on of [true, false]) {
  await setLog(admin, on);
  for (const workload of WORKLOADS) await load(workload, users, 2, 500);
}

const results = [];
for (let round = 1; round <= ROUNDS; round += 1) {
  // On first in odd rounds, off first in even ones (ABBA): a drift of the machine during the
  // run (checkpoints, the tables growing) weighs on both modes alike.
  for (const on of round % 2 === 1 ? [true, false] : [false, true]) {
    await setLog(admin, on);
    const [load1] = os.loadavg();
    for (const workload of WORKLOADS) {
      const result = await load(workload, users, SECONDS, 1000);
      results.push({ round, on, workload, load1, ...result });
      console.error(
        `round ${round} log ${on ? 'on ' : 'off'} ${workload}: ` +
          `${result.writesPerSecond.toFixed(0)} writes/s, ${result.totalUs.toFixed(0)} µs/write`,
      );
    }
  }
}
// Leave the database as the server expects it.
await setLog(admin, true);
await admin.end();

console.log(
  `\n${CONCURRENCY} concurrent requests, ${SECONDS} s per round and workload, ` +
    `${ROUNDS} rounds alternating on/off; CPU per successful write (churn: create and delete)\n`,
);
console.log(
  table(
    ['round', 'log', 'workload', 'load1', 'writes/s', 'non-2xx', 'server µs', 'db µs', 'total µs'],
    results.map((r) => [
      String(r.round),
      r.on ? 'on' : 'off',
      r.workload,
      r.load1.toFixed(2),
      r.writesPerSecond.toFixed(0),
      JSON.stringify(r.other),
      r.serverUs.toFixed(0),
      r.dbUs.toFixed(0),
      r.totalUs.toFixed(0),
    ]),
  ),
);

const summary = WORKLOADS.map((workload) => {
  const of = (on, key) =>
    median(results.filter((r) => r.workload === workload && r.on === on).map((r) => r[key]));
  // Each round's on against its off, run right before or after it.
  const paired = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const pick = (on) =>
      results.find((r) => r.workload === workload && r.round === round && r.on === on);
    paired.push(pick(true).totalUs / pick(false).totalUs);
  }
  const row = { workload, pairedTotalRatio: median(paired) };
  for (const key of ['writesPerSecond', 'serverUs', 'dbUs', 'totalUs']) {
    row[key] = { on: of(true, key), off: of(false, key) };
  }
  return row;
});
console.log('\nMedians over the rounds; on/off − 1 of the medians, and of total per round pair\n');
console.log(
  table(
    [
      'workload',
      'writes/s on',
      'off',
      'Δ',
      'server µs on',
      'off',
      'Δ',
      'db µs on',
      'off',
      'Δ',
      'total µs on',
      'off',
      'Δ',
      'Δ total, paired',
    ],
    summary.map((s) => [
      s.workload,
      ...['writesPerSecond', 'serverUs', 'dbUs', 'totalUs'].flatMap((key) => [
        s[key].on.toFixed(0),
        s[key].off.toFixed(0),
        percent(s[key].on, s[key].off),
      ]),
      percent(s.pairedTotalRatio, 1),
    ]),
  ),
);
console.log(
  `\nmedian paired ratio of total CPU per write, over workloads: ` +
    `${percent(median(summary.map((s) => s.pairedTotalRatio)), 1)}`,
);
console.log(JSON.stringify({ results, summary }));
stop();
