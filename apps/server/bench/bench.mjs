// `npm run bench`: how fast the built server is on this machine. It starts
// apps/server/dist/main.js on the embedded database in a fresh temporary folder (removed at the
// end), or on DATABASE_URL when that is set, seeds users and tasks through the HTTP API, loads
// it with autocannon over the workloads of the team's harness (../shared/bench/wrk/workload.lua)
// and prints req/s, p50/p99 latency, non-2xx answers and the server's CPU time per request.
// It reports; it does not judge. The server is stopped (SIGTERM, then waited for) at the end,
// on an error and on Ctrl-C.
//
//   node apps/server/bench/bench.mjs [--duration 10] [--connections 32] [--warmup 3]
//     [--workloads get,list,create,patch,churn,mixed] [--users 100] [--tasks 50] [--json FILE]
//
// It lives beside the server because it drives the server's build and signs tokens with the
// server's own jsonwebtoken; autocannon is a devDependency of this package for the same reason.
/* global fetch -- Node's own */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { cpuSecondsOf, table } from './bench-kit.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const AUTOCANNON_VERSION = createRequire(import.meta.url)('autocannon/package.json').version;

const WORKLOADS = {
  get: 'GET one task of a seeded user',
  list: "GET a seeded user's first page (50 tasks)",
  create: 'POST a task for a writer user',
  patch: 'PATCH title and complete of a seeded task',
  churn: 'POST a task, then DELETE it (writer users)',
  mixed: '60% get, 20% list, 10% patch, 5% create, 5% delete',
  // The safe-write headers, each beside the workload it conditions, to price them.
  'get-304': 'get with If-None-Match: * (a revalidation: 304, no body)',
  'patch-if-match': 'patch with If-Match of the version last seen (412 when another won)',
  'create-keyed': 'create with a new Idempotency-Key each time',
};
const SEEDED_WORKLOADS = new Set(['get', 'list', 'patch', 'mixed', 'get-304', 'patch-if-match']);
// The team harness's six; the header workloads run when asked for.
const DEFAULT_WORKLOADS = ['get', 'list', 'create', 'patch', 'churn', 'mixed'];

const USAGE = `usage: npm run bench -- [options]

  --duration S        seconds of load per workload (default 10)
  --connections N     concurrent keep-alive connections (default 32)
  --workloads LIST    comma-separated, from ${Object.keys(WORKLOADS).join(',')}
                      (default ${DEFAULT_WORKLOADS.join(',')})
  --warmup S          seconds of get before the first workload, not reported (default 3)
  --users N           seeded users (default 100); as many writer users for create and churn
  --tasks N           tasks seeded per user (default 50)
  --json FILE         also write the results as JSON to FILE
  --node-arg ARG      pass ARG to the server's node (repeatable), e.g. --node-arg=--cpu-prof
  --help              this text

The embedded database in a fresh temporary folder, unless DATABASE_URL is set: then that
database, where the bench writes rows (the server also applies its migrations there).`;

// ------------------------------------------------------------------ options

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** The options; a relative --json path is taken from `cwd`. */
function parseOptions(argv, cwd) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '32' },
        workloads: { type: 'string', default: DEFAULT_WORKLOADS.join(',') },
        warmup: { type: 'string', default: '3' },
        users: { type: 'string', default: '100' },
        tasks: { type: 'string', default: '50' },
        json: { type: 'string' },
        'node-arg': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    fail(`${error.message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const integer = (name, min) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      fail(`--${name} must be an integer ≥ ${min}, not ${values[name]}`);
    }
    return value;
  };
  const workloads = values.workloads.split(',').map((name) => name.trim());
  for (const name of workloads) {
    if (!(name in WORKLOADS)) {
      fail(`unknown workload "${name}"; choose from ${Object.keys(WORKLOADS).join(', ')}`);
    }
  }
  return {
    duration: integer('duration', 1),
    connections: integer('connections', 1),
    warmup: integer('warmup', 0),
    users: integer('users', 1),
    tasks: integer('tasks', 1),
    workloads: [...new Set(workloads)],
    json: values.json === undefined ? undefined : resolve(cwd, values.json),
    nodeArgs: values['node-arg'],
  };
}

// ------------------------------------------------------------------ progress and output

const tty = process.stderr.isTTY === true;

/** One line a second: overwritten in place on a terminal, plain lines otherwise. */
function progress(text) {
  process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
}

function progressDone() {
  if (tty) process.stderr.write('\r\x1b[2K');
}

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

const fixed = (value, digits) => (value === undefined ? 'n/a' : value.toFixed(digits));

// ------------------------------------------------------------------ the server's CPU time

/**
 * A reader of a process's CPU time (user + system, all threads) in seconds: /proc on Linux,
 * `ps` on other Unix systems, none on Windows.
 */
function cpuReader(pid) {
  if (existsSync(`/proc/${pid}/stat`)) {
    return { source: `/proc/${pid}/stat utime+stime`, read: () => cpuSecondsOf(pid) };
  }
  if (process.platform === 'win32') return undefined;
  const read = () => {
    const out = spawnSync('ps', ['-o', 'time=', '-p', String(pid)], { encoding: 'utf8' });
    // [[dd-]hh:]mm:ss[.cc]
    const match = /^\s*(?:(\d+)-)?([\d:.]+)\s*$/.exec(out.stdout ?? '');
    if (match === null) throw new Error(`cannot read the CPU time of process ${pid} with ps`);
    const seconds = match[2].split(':').reduce((total, part) => total * 60 + Number(part), 0);
    return Number(match[1] ?? 0) * 86_400 + seconds;
  };
  try {
    read();
  } catch {
    return undefined;
  }
  return { source: `ps -o time= -p ${pid}`, read };
}

function peakRssMiB(pid) {
  try {
    const kib = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kib === null ? undefined : Math.round(Number(kib[1]) / 1024);
  } catch {
    return undefined;
  }
}

/** The whole machine's CPU time so far, busy and in all, in ms (every core added up). */
function machineTimes() {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

function busyPercent(before, after = machineTimes()) {
  const total = after.total - before.total;
  return total > 0 ? (100 * (after.busy - before.busy)) / total : undefined;
}

// ------------------------------------------------------------------ the server

/** Variables of the server's configuration that the bench sets itself, or that would break it. */
const CONTROLLED =
  /^(PORT|HOST|DATA_DIR|DATABASE_URL|CURSOR_SECRET|AUTH_ACCOUNTS|REDIS_URL|TRUST_PROXY|JWT_.*|RATE_LIMIT.*)$/;
/**
 * Server settings from the user's environment worth naming in the report (DATABASE_URL is not
 * one: it may hold a password, and the report names the database without it).
 */
const TUNING =
  /^(NODE_ENV|LOG_LEVEL|REQUEST_LOG_LEVEL|BODY_LIMIT|RESPONSE_VALIDATION|DB_.*|DATABASE_(?!URL$).*|HTTP_.*|SHUTDOWN_.*|TOKEN_CACHE_.*)$/;

function serverEnvironment(userEnv, { databaseUrl, dataDir, secret }) {
  const env = {};
  for (const [name, value] of Object.entries(userEnv)) {
    if (!CONTROLLED.test(name) && value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    NODE_ENV: env.NODE_ENV || 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    JWT_SECRET: secret,
    RATE_LIMIT: 'off',
  });
  if (databaseUrl === undefined) env.DATA_DIR = dataDir;
  else env.DATABASE_URL = databaseUrl;
  const named = Object.keys(env)
    .filter((name) => TUNING.test(name))
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return { env, named };
}

function startServer(env, logFile, nodeArgs) {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, SERVER_ENTRY], {
    cwd: ROOT,
    env,
    stdio: ['ignore', log, 'pipe'],
    // Its own process group: a Ctrl-C reaches the bench only, which then stops the server with
    // SIGTERM once (a second signal would make the server stop at once, cutting requests).
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  closeSync(log);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 64_000) stderr += chunk;
  });
  const server = { child, pid: child.pid, exit: undefined, stderr: () => stderr, logFile };
  server.exited = new Promise((done) => {
    child.once('exit', (code, signal) => {
      server.exit = { code, signal };
      done(server.exit);
    });
  });
  return server;
}

function logLines(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function describeFailure(server) {
  const tail = logLines(server.logFile).slice(-15).join('\n');
  return `${server.stderr().trim()}\n${tail}`.trim();
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Waits for the listening line, then for /readyz to answer 200 (migrations applied). */
async function waitUntilReady(server, timeoutMs = 120_000) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextProgress = started + 1000;
  let base;
  while (Date.now() < deadline) {
    if (server.exit !== undefined) {
      throw new Error(
        `the server exited (${JSON.stringify(server.exit)}):\n${describeFailure(server)}`,
      );
    }
    checkInterrupted();
    if (base === undefined) {
      for (const line of logLines(server.logFile)) {
        if (!line.includes('Enclave is listening')) continue;
        base = JSON.parse(line).url;
      }
    } else {
      try {
        const answer = await fetch(`${base}/readyz`);
        if (answer.status === 200) return base;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() >= nextProgress) {
      nextProgress += 1000;
      const waited = Math.floor((Date.now() - started) / 1000);
      progress(
        base === undefined
          ? `starting the server: ${waited} s`
          : `starting the server: ${waited} s, listening at ${base}, waiting for its database`,
      );
    }
    await sleep(base === undefined ? 50 : 200);
  }
  throw new Error(
    `the server was not ready within ${timeoutMs / 1000} s:\n${describeFailure(server)}`,
  );
}

async function stopServer(server) {
  if (server.exit !== undefined) return server.exit;
  server.child.kill('SIGTERM');
  const late = sleep(20_000).then(() => 'late');
  if ((await Promise.race([server.exited, late])) === 'late') {
    server.child.kill('SIGKILL');
    process.stderr.write('bench: the server did not stop within 20 s of SIGTERM; killed it\n');
  }
  return server.exited;
}

// ------------------------------------------------------------------ seeding

function bearer(userId, secret) {
  return `Bearer ${jwt.sign({ sub: userId }, secret, { algorithm: 'HS256', expiresIn: '24h' })}`;
}

/** `users` users with `tasks` tasks each, created through the API (16 at a time). */
async function seed(base, users, tasks) {
  const jobs = [];
  for (let t = 0; t < tasks; t++) for (let u = 0; u < users.length; u++) jobs.push([u, t]);
  let next = 0;
  let done = 0;
  const started = Date.now();
  const ticker = setInterval(() => progress(`seeding: ${done}/${jobs.length} tasks`), 1000);
  const worker = async () => {
    while (next < jobs.length) {
      checkInterrupted();
      const [u, t] = jobs[next++];
      const user = users[u];
      const body = {
        title: `Task ${t + 1} of ${user.id}`,
        description: t % 5 === 4 ? null : `Seeded by npm run bench: item ${t + 1} for ${user.id}.`,
      };
      const answer = await fetch(`${base}/api/${user.id}/tasks`, {
        method: 'POST',
        headers: { authorization: user.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await answer.text();
      if (answer.status !== 201) {
        throw new Error(`seeding: POST answered ${answer.status}: ${text.slice(0, 300)}`);
      }
      user.taskIds.push(JSON.parse(text).id);
      done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: 16 }, worker));
  } finally {
    clearInterval(ticker);
    progressDone();
  }
  return { tasks: done, seconds: (Date.now() - started) / 1000 };
}

// ------------------------------------------------------------------ workloads

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const JSON_HEADERS = (auth) => ({ authorization: auth, 'content-type': 'application/json' });
const createdId = (body) => Number(/"id":\s*(\d+)/.exec(body)?.[1]);

/** autocannon `requests` for a workload; each connection loops over its list. */
function workloadRequests(name, users, writers) {
  const get = (req) => {
    const user = pick(users);
    const path = `/api/${user.id}/tasks/${pick(user.taskIds)}`;
    return { ...req, method: 'GET', path, headers: { authorization: user.auth }, body: undefined };
  };
  const list = (req) => {
    const user = pick(users);
    return {
      ...req,
      method: 'GET',
      path: `/api/${user.id}/tasks`,
      headers: { authorization: user.auth },
      body: undefined,
    };
  };
  const patch = (req) => {
    const user = pick(users);
    const id = pick(user.taskIds);
    const body =
      Math.random() < 0.5
        ? `{"title":"Patched ${id}","complete":true}`
        : `{"title":"Patched again ${id}","complete":false}`;
    return {
      ...req,
      method: 'PATCH',
      path: `/api/${user.id}/tasks/${id}`,
      headers: JSON_HEADERS(user.auth),
      body,
    };
  };
  const create = (owner, body) => (req) => ({
    ...req,
    method: 'POST',
    path: `/api/${owner.id}/tasks`,
    headers: JSON_HEADERS(owner.auth),
    body,
  });
  const remove = (req, owner, id) => ({
    ...req,
    method: 'DELETE',
    path: `/api/${owner.id}/tasks/${id}`,
    headers: { authorization: owner.auth },
    body: undefined,
  });
  // The version last seen of each task (1 when seeded, unless a patch workload moved it; a
  // 412 tells the current one).
  const versions = new Map();
  const patchIfMatch = [
    {
      setupRequest: (req, context) => {
        const next = patch(req);
        context.path = next.path;
        const version = versions.get(next.path) ?? 1;
        return { ...next, headers: { ...next.headers, 'if-match': `"${version}"` } };
      },
      onResponse: (status, _body, context, headers = {}) => {
        // autocannon keeps the header names as the server wrote them (`ETag`).
        const [, etag = ''] =
          Object.entries(headers).find(([name]) => name.toLowerCase() === 'etag') ?? [];
        const version = Number(/^"(\d+)"$/.exec(etag)?.[1]);
        if (Number.isSafeInteger(version)) versions.set(context.path, version);
      },
    },
  ];
  const writerBody =
    '{"title":"Created by bench","description":"Written by the create workload of npm run bench."}';
  const mixedBody =
    '{"title":"Created by mixed","description":"Written by the mixed workload of npm run bench."}';

  switch (name) {
    case 'get':
      return [{ setupRequest: get }];
    case 'list':
      return [{ setupRequest: list }];
    case 'patch':
      return [{ setupRequest: patch }];
    case 'create':
      return [{ setupRequest: (req) => create(pick(writers), writerBody)(req) }];
    case 'get-304':
      return [
        {
          setupRequest: (req) => {
            const next = get(req);
            return { ...next, headers: { ...next.headers, 'if-none-match': '*' } };
          },
        },
      ];
    case 'patch-if-match':
      return patchIfMatch;
    case 'create-keyed':
      return [
        {
          setupRequest: (req) => {
            const next = create(pick(writers), writerBody)(req);
            return { ...next, headers: { ...next.headers, 'idempotency-key': randomUUID() } };
          },
        },
      ];
    case 'churn':
      // Per connection: create a task, then delete that one; about half of each.
      return [
        {
          setupRequest: (req, context) => {
            context.owner = pick(writers);
            return create(context.owner, writerBody)(req);
          },
          onResponse: (status, body, context) => {
            if (status === 201) context.id = createdId(body);
          },
        },
        {
          // No task to delete (the create failed): autocannon starts the pair again.
          setupRequest: (req, context) =>
            context.id === undefined ? null : remove(req, context.owner, context.id),
        },
      ];
    case 'mixed': {
      // Tasks this run created (owner, id), oldest first, for the deletes.
      const created = [];
      let oldest = 0;
      return [
        {
          setupRequest: (req, context) => {
            context.owner = undefined;
            const x = Math.random() * 100;
            if (x < 60) return get(req);
            if (x < 80) return list(req);
            if (x < 90) return patch(req);
            if (x >= 95 && oldest < created.length) {
              const [owner, id] = created[oldest];
              created[oldest++] = undefined;
              return remove(req, owner, id);
            }
            context.owner = pick(users);
            return create(context.owner, mixedBody)(req);
          },
          onResponse: (status, body, context) => {
            if (status === 201 && context.owner !== undefined) {
              created.push([context.owner, createdId(body)]);
            }
          },
        },
      ];
    }
    default:
      throw new Error(`unknown workload ${name}`);
  }
}

const percentile = (sorted, p) =>
  sorted.length === 0
    ? undefined
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** What must be undone however the run ends: the load, the server, the temporary folder. */
const state = { server: undefined, instance: undefined, tmp: undefined, interrupted: false };

class Interrupted extends Error {}

function checkInterrupted() {
  if (state.interrupted) throw new Interrupted('interrupted');
}

/** Runs workload `name` for `duration` seconds and measures it. */
async function measure(name, label, { base, duration, connections, users, writers, cpu }) {
  checkInterrupted();
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let non2xx = 0;
  let lastCount = 0;
  let elapsed = 0;
  const cpuBefore = cpu?.read();
  const machineBefore = machineTimes();
  const instance = autocannon({
    url: base,
    connections,
    duration,
    timeout: 10,
    requests: workloadRequests(name, users, writers),
  });
  state.instance = instance;
  instance.on('response', (_client, status, _bytes, ms) => {
    if (count === latencies.length) {
      const larger = new Float64Array(latencies.length * 2);
      larger.set(latencies);
      latencies = larger;
    }
    latencies[count++] = ms;
    if (status < 200 || status > 299) non2xx++;
  });
  const tick = () => {
    elapsed++;
    progress(
      `${label}: ${elapsed}/${duration} s, ${count - lastCount} req/s, ` +
        `${count} requests, ${non2xx} non-2xx`,
    );
    lastCount = count;
  };
  const ticker = setInterval(tick, 1000);
  // autocannon ends a run on its once-a-second sample after its stop timer; when that sample
  // comes first, the run lasts a second longer. Stopping just before it makes the window exact.
  const stopper = setTimeout(() => instance.stop(), duration * 1000 - 100);
  let result;
  try {
    result = await instance;
  } finally {
    clearInterval(ticker);
    clearTimeout(stopper);
    state.instance = undefined;
  }
  const cpuSeconds = cpu === undefined ? undefined : cpu.read() - cpuBefore;
  const machineBusy = busyPercent(machineBefore);
  // The last second's line, when the run ended just before its tick.
  if (elapsed < duration && !state.interrupted) tick();
  progressDone();
  checkInterrupted();
  const requests = result.requests.total;
  const sorted = latencies.subarray(0, count).sort();
  return {
    workload: name,
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    p50_ms: percentile(sorted, 50),
    p99_ms: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status_codes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count: n }]) => [code, n]),
    ),
    server_cpu_seconds: cpuSeconds,
    server_cpu_us_per_req:
      cpuSeconds === undefined || requests === 0 ? undefined : (cpuSeconds / requests) * 1e6,
    machine_busy_pct: machineBusy,
  };
}

// ------------------------------------------------------------------ main

function describeDatabase(url) {
  try {
    const parsed = new URL(url);
    const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
    return `${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable here; the server reads it)';
  }
}

function machine() {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() || 'unknown CPU';
  return `${process.platform} ${process.arch}, ${cpus.length} × ${model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

async function main() {
  // A tool beside the server, not the server: it hands its environment on to the server it
  // starts, and must know which database that means.
  // eslint-disable-next-line no-restricted-syntax
  const userEnv = process.env;
  // npm runs scripts in the project's root; INIT_CWD is where `npm run bench` was typed.
  const options = parseOptions(process.argv.slice(2), userEnv.INIT_CWD || process.cwd());
  if (!existsSync(SERVER_ENTRY)) {
    fail(
      `${SERVER_ENTRY} is missing: run \`npm run bench\`, which builds first, or \`npm run build\``,
    );
  }
  const databaseUrl = userEnv.DATABASE_URL || undefined;
  const run = randomBytes(4).toString('hex');
  const secret = randomBytes(48).toString('base64url');
  state.tmp = mkdtempSync(join(os.tmpdir(), 'enclave-bench-'));
  const dataDir = join(state.tmp, 'pglite');
  const { env, named } = serverEnvironment(userEnv, { databaseUrl, dataDir, secret });

  const width = String(options.users).length;
  const makeUser = (kind) => (_, i) => {
    const id = `bench-${run}-${kind}${String(i + 1).padStart(width, '0')}`;
    return { id, auth: bearer(id, secret), taskIds: [] };
  };
  const users = Array.from({ length: options.users }, makeUser('u'));
  const writers = Array.from({ length: options.users }, makeUser('w'));
  const database =
    databaseUrl === undefined
      ? {
          kind: 'embedded',
          description: `embedded PGlite in a fresh temporary folder, removed at the end (${dataDir}); it runs inside the server process, so its CPU counts as the server's`,
          data_dir: dataDir,
        }
      : {
          kind: 'postgresql',
          description: `PostgreSQL ${describeDatabase(databaseUrl)} (DATABASE_URL). The bench WRITES ROWS there, tasks of the users bench-${run}-*, and leaves them; the server applies its migrations first`,
          user_prefix: `bench-${run}-`,
        };

  say(`Enclave benchmark, ${new Date().toISOString()}`);
  say(`node      ${process.version} (${machine()})`);
  say(`database  ${database.description}`);
  say(
    `server    node ${[...options.nodeArgs, SERVER_ENTRY.slice(ROOT.length)].join(' ')}, ${named.join(', ')}, RATE_LIMIT=off ` +
      '(its per-user rate limiter would throttle the benchmark), a random JWT_SECRET; ' +
      'its log goes to a temporary file',
  );
  say(
    `load      autocannon ${AUTOCANNON_VERSION} in this process, ${options.connections} connections, ` +
      `${options.duration} s per workload, ${options.warmup} s of get first as a warm-up`,
  );

  // Other programs at work make every number lower and noisier: say so before it starts.
  const idleBefore = machineTimes();
  await sleep(1000);
  const busyBefore = busyPercent(idleBefore);
  checkInterrupted();
  say(
    `machine   ${fixed(busyBefore, 0)}% busy in the second before the start` +
      (busyBefore !== undefined && busyBefore > 15
        ? ': other programs are running; expect lower, noisier numbers'
        : ''),
  );

  const server = startServer(env, join(state.tmp, 'server.log'), options.nodeArgs);
  state.server = server;
  const base = await waitUntilReady(server);
  progressDone();
  const cpu = cpuReader(server.pid);
  say(
    `          server pid ${server.pid} at ${base}; its CPU time from ` +
      `${cpu?.source ?? 'nowhere: not measured on this system'}`,
  );

  let seeded;
  if (options.warmup > 0 || options.workloads.some((name) => SEEDED_WORKLOADS.has(name))) {
    seeded = await seed(base, users, options.tasks);
    say(
      `seed      ${seeded.tasks} tasks for ${users.length} users through POST in ` +
        `${seeded.seconds.toFixed(1)} s (${Math.round(seeded.tasks / seeded.seconds)}/s); ` +
        `${writers.length} more users for create and churn`,
    );
  }
  const load = { base, connections: options.connections, users, writers, cpu };
  if (options.warmup > 0) {
    await measure('get', 'warm-up (get)', { ...load, duration: options.warmup });
  }

  const results = [];
  for (const name of options.workloads) {
    if (results.length > 0 || options.warmup > 0) await sleep(1000);
    results.push(await measure(name, name, { ...load, duration: options.duration }));
  }

  say();
  say(
    table(
      [
        'workload',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'errors',
        'server CPU µs/req',
        'machine busy %',
        'requests',
      ],
      results.map((r) => [
        r.workload,
        fixed(r.rps, 0),
        fixed(r.p50_ms, 2),
        fixed(r.p99_ms, 2),
        String(r.non2xx),
        String(r.errors),
        fixed(r.server_cpu_us_per_req, 0),
        fixed(r.machine_busy_pct, 0),
        String(r.requests),
      ]),
    ),
  );
  say();
  for (const r of results) say(`  ${r.workload.padEnd(14)} ${WORKLOADS[r.workload]}`);
  say(
    '  req/s: completed requests ÷ duration; p50/p99: over every response; machine busy: all ' +
      'cores, this process and the server included; server CPU: the ' +
      "server process's user + system CPU time over the workload ÷ requests completed" +
      (database.kind === 'embedded' ? ' (the embedded database included)' : ''),
  );

  const peakRss = peakRssMiB(server.pid);
  const exit = await stopServer(server);
  say(
    `server    stopped with SIGTERM: exit code ${exit.code ?? exit.signal}` +
      (peakRss === undefined ? '' : `; peak RSS ${peakRss} MiB`),
  );
  if (database.kind === 'postgresql') {
    say(
      `rows      left in ${describeDatabase(databaseUrl)}; to remove them: ` +
        `delete from tasks where user_id like '${database.user_prefix}%';`,
    );
  }

  if (options.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      machine: machine(),
      autocannon: AUTOCANNON_VERSION,
      database: {
        kind: database.kind,
        description: database.description,
        data_dir: database.data_dir,
      },
      server: {
        entry: SERVER_ENTRY,
        pid: server.pid,
        settings: [...named, 'RATE_LIMIT=off'],
        cpu_source: cpu?.source ?? null,
        peak_rss_mib: peakRss ?? null,
        exit,
      },
      options: { ...options, json: undefined },
      machine_busy_pct_before: busyBefore ?? null,
      seed:
        seeded === undefined
          ? null
          : { users: users.length, tasks_per_user: options.tasks, ...seeded },
      results,
    };
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    say(`json      ${options.json}`);
  }
  return exit.code === 0 ? 0 : 1;
}

/** Stops the load and the server and removes the temporary folder; once, however it ends. */
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    state.instance?.stop();
    if (state.server !== undefined) await stopServer(state.server);
    if (state.tmp !== undefined) rmSync(state.tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    progressDone();
    if (state.interrupted) {
      // A second Ctrl-C: out now.
      if (state.server?.exit === undefined) state.server?.child.kill('SIGKILL');
      process.exit(130);
    }
    state.interrupted = true;
    process.stderr.write(`bench: ${signal}: stopping the server (SIGTERM) and waiting for it…\n`);
    void cleanup().finally(() => {
      process.stderr.write('bench: the server has stopped\n');
      process.exit(128 + os.constants.signals[signal]);
    });
  });
}
// Whatever else ends this process, the server must not outlive it, nor its temporary folder.
process.on('exit', () => {
  if (state.server !== undefined && state.server.exit === undefined)
    state.server.child.kill('SIGKILL');
  if (state.tmp !== undefined) rmSync(state.tmp, { recursive: true, force: true });
});

main().then(
  async (code) => {
    await cleanup();
    if (!state.interrupted) process.exit(code);
  },
  async (error) => {
    if (!state.interrupted) {
      progressDone();
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await cleanup();
    if (!state.interrupted) process.exit(1);
  },
);
