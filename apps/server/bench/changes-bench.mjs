// What live changes cost, on the built server and a PostgreSQL database of your choosing
// (DATABASE_URL; the bench's users are random and left in it): memory per idle change stream
// and `get`'s latency while they are open, then write-to-event latency with writes spread
// over many streams. It reports; it does not judge.
//
//   DATABASE_URL=postgres://… node apps/server/bench/changes-bench.mjs
//     [--idle 1000] [--streams 100] [--rate 500] [--seconds 10]
/* global fetch, performance, AbortController, TextDecoder -- Node's own */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { argsOf, cpuSecondsOf, startBuiltServer } from './bench-kit.mjs';

const args = argsOf();
const IDLE = Number(args.idle ?? 1000);
const STREAMS = Number(args.streams ?? 100);
const RATE = Number(args.rate ?? 500);
const SECONDS = Number(args.seconds ?? 10);
// A script of its own, started by hand: it reads its one setting itself.
// eslint-disable-next-line no-restricted-syntax
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL (a PostgreSQL database the bench may write to)');

const { base, pid, token, ready, stop } = startBuiltServer({ CHANGES_STREAMS_PER_USER: '10' });
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cpuMs = () => cpuSecondsOf(pid) * 1000;
const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** Opens a stream for `user`; `onData(text)` for each piece. */
async function openStream(user, onData) {
  const abort = new AbortController();
  const answer = await fetch(`${base}/api/${user}/changes/stream`, {
    headers: { authorization: `Bearer ${token(user)}` },
    signal: abort.signal,
  });
  if (answer.status !== 200) throw new Error(`stream answered ${answer.status}`);
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of answer.body) onData(decoder.decode(chunk, { stream: true }));
    } catch {
      // closed
    }
  })();
  return () => abort.abort();
}

async function getLatencies(user, id, count, concurrency) {
  const times = [];
  let left = count;
  const headers = { authorization: `Bearer ${token(user)}` };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const started = performance.now();
        const answer = await fetch(`${base}/api/${user}/tasks/${id}`, { headers });
        await answer.arrayBuffer();
        times.push(performance.now() - started);
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

await ready();
const reader = `bench-${randomUUID()}`;
const created = await fetch(`${base}/api/${reader}/tasks`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token(reader)}`, 'content-type': 'application/json' },
  body: JSON.stringify({ title: 'read me' }),
}).then((answer) => answer.json());
await getLatencies(reader, created.id, 500, 8); // warm-up
const before = await getLatencies(reader, created.id, 3000, 8);

// 1. Idle streams: memory per stream, and get's latency while they are open.
const rssBefore = rssKb();
const closers = [];
for (let i = 0; i < IDLE; i += 1)
  closers.push(await openStream(`bench-idle-${randomUUID()}`, () => {}));
await sleep(2000);
const rssAfter = rssKb();
const during = await getLatencies(reader, created.id, 3000, 8);
console.log(
  JSON.stringify({
    idle_streams: IDLE,
    rss_before_mb: +(rssBefore / 1024).toFixed(1),
    rss_after_mb: +(rssAfter / 1024).toFixed(1),
    kb_per_stream: +((rssAfter - rssBefore) / IDLE).toFixed(1),
    get_p50_ms_before: +pct(before, 50).toFixed(2),
    get_p99_ms_before: +pct(before, 99).toFixed(2),
    get_p50_ms_during: +pct(during, 50).toFixed(2),
    get_p99_ms_during: +pct(during, 99).toFixed(2),
  }),
);
for (const close of closers) close();
await sleep(1000);

// 2. Write-to-event latency: RATE writes a second spread over STREAMS users, each followed.
const users = Array.from({ length: STREAMS }, () => `bench-live-${randomUUID()}`);
const sentAt = new Map();
const answeredAt = new Map();
const fromSend = [];
const fromAnswer = [];
const streams = await Promise.all(
  users.map((user) =>
    openStream(user, (text) => {
      const now = performance.now();
      for (const match of text.matchAll(/"title":"(w-[^"]+)"/g)) {
        const started = sentAt.get(match[1]);
        if (started === undefined) continue;
        sentAt.delete(match[1]);
        fromSend.push(now - started);
        const answered = answeredAt.get(match[1]);
        if (answered !== undefined) fromAnswer.push(now - answered);
      }
    }),
  ),
);
const total = RATE * SECONDS;
const cpuStart = cpuMs();
const started = performance.now();
const writes = [];
for (let i = 0; i < total; i += 1) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  const user = users[i % users.length];
  const title = `w-${i}`;
  sentAt.set(title, performance.now());
  writes.push(
    fetch(`${base}/api/${user}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token(user)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    }).then(
      async (answer) => {
        await answer.arrayBuffer();
        answeredAt.set(title, performance.now());
        return answer.status;
      },
      () => 0,
    ), // no answer (a connection lost under load): counted as status 0
  );
}
const statuses = await Promise.all(writes);
const elapsed = (performance.now() - started) / 1000;
await sleep(3000);
const cpu = cpuMs() - cpuStart;
for (const close of streams) close();
fromSend.sort((a, b) => a - b);
fromAnswer.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    streams: STREAMS,
    target_writes_per_s: RATE,
    achieved_writes_per_s: +(total / elapsed).toFixed(0),
    non_201: Object.fromEntries(
      [...new Set(statuses)]
        .filter((status) => status !== 201)
        .map((status) => [status, statuses.filter((each) => each === status).length]),
    ),
    events: fromSend.length,
    missing_events: statuses.filter((status) => status === 201).length - fromSend.length,
    send_to_event_p50_ms: +pct(fromSend, 50).toFixed(1),
    send_to_event_p99_ms: +pct(fromSend, 99).toFixed(1),
    answer_to_event_p50_ms: +pct(fromAnswer, 50).toFixed(1),
    answer_to_event_p99_ms: +pct(fromAnswer, 99).toFixed(1),
    server_cpu_us_per_write: +((cpu * 1000) / total).toFixed(0),
  }),
);
stop();
