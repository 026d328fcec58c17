// What CI's container smokes (.ci/containers-smoke.sh) ask of a running Enclave, as a user of
// its API would. Node's own modules only, so it runs in any node image, beside the app.
//
//   node api-smoke.mjs flow  <base-url> <email> <title>   register, sign in, create, list
//   node api-smoke.mjs check <base-url> <email> <title>   sign in again, the task still listed
//   node api-smoke.mjs load  <base-url> <email>           busy connections until the server
//                                                          is gone; then what failed, as JSON
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';

const [mode, baseUrl, email, title] = process.argv.slice(2);
const PASSWORD = 'correct horse battery staple';

/**
 * One request; resolves with its answer, or with `{ refused }` when no connection was made
 * (the server is gone: refused, unresolvable, unreachable). A request the server accepted
 * and never answered rejects: that is a failed request.
 */
function send(agent, method, path, { token, body, accept } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = request(new URL(path, baseUrl), {
      agent,
      method,
      timeout: 15_000,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(accept === undefined ? {} : { accept }),
        ...(text === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
      },
    });
    req.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('response', (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('error', reject);
      res.on('end', () => {
        const json = /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(data) : undefined;
        const close = res.headers.connection === 'close';
        resolve({ status: res.statusCode, close, json, text: data });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (error) => (connected ? reject(error) : resolve({ refused: error.code })));
    req.end(text);
  });
}

function expectStatus(answer, status, what) {
  if (answer.status !== status) {
    const got = answer.refused ?? `${answer.status} ${String(answer.text).slice(0, 300)}`;
    throw new Error(`${what}: expected ${status}, got ${got}`);
  }
  return answer.json;
}

async function signIn(agent) {
  const login = await send(agent, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
  const { access_token: token } = expectStatus(login, 200, 'sign in');
  const me = expectStatus(await send(agent, 'GET', '/auth/me', { token }), 200, 'me');
  return { token, userId: me.id };
}

async function titles(agent, { token, userId }) {
  const list = await send(agent, 'GET', `/api/${userId}/tasks`, { token });
  return expectStatus(list, 200, 'list').tasks.map((task) => task.title);
}

async function flow() {
  const agent = new Agent({ keepAlive: true });
  const registered = await send(agent, 'POST', '/auth/register', {
    body: { email, password: PASSWORD },
  });
  expectStatus(registered, 201, 'register');
  const session = await signIn(agent);
  const created = await send(agent, 'POST', `/api/${session.userId}/tasks`, {
    token: session.token,
    body: { title },
  });
  expectStatus(created, 201, 'create');
  const listed = await titles(agent, session);
  if (!listed.includes(title)) throw new Error(`list: ${title} missing from ${listed}`);
  await pagesServed(agent);
  agent.destroy();
  console.log(`smoke: registered, signed in, created and listed "${title}" as ${email}`);
}

/** The web app and the API's documentation are served; no source map is (production). */
async function pagesServed(agent) {
  const page = await send(agent, 'GET', '/', { accept: 'text/html' });
  if (page.status !== 200 || !/<script[^>]+src="(\/assets\/[^"]+\.js)"/.test(page.text)) {
    throw new Error(`the web app: ${page.status} ${page.text?.slice(0, 200)}`);
  }
  const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(page.text)[1];
  expectStatus(await send(agent, 'GET', script), 200, `the web app's ${script}`);
  expectStatus(await send(agent, 'GET', `${script}.map`), 404, `its source map`);
  const docs = await send(agent, 'GET', '/docs/', { accept: 'text/html' });
  if (docs.status !== 200 || !/swagger/i.test(docs.text)) throw new Error(`/docs: ${docs.status}`);
  expectStatus(await send(agent, 'GET', '/openapi.json'), 200, '/openapi.json');
}

async function check() {
  const agent = new Agent({ keepAlive: true });
  const listed = await titles(agent, await signIn(agent));
  if (!listed.includes(title)) throw new Error(`after a restart: ${title} missing from ${listed}`);
  agent.destroy();
  console.log(`smoke: ${email} signs in again and still has "${title}"`);
}

/**
 * Clients busy with lists and creates, each on a kept-alive connection it leaves when told
 * `Connection: close` (its next request goes on a new one, as a client's must), until the
 * server is gone. Prints `ready` once every client has had answers, then, at the end, the
 * counts: a request accepted and never answered, or answered 5xx, is a failure.
 */
async function load(clients = 8) {
  const session = await signIn(new Agent());
  const report = { answered: 0, statuses: {}, failed: 0, errors: [], closedByServer: 0 };
  let warmedUp = 0;
  async function client() {
    let agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let answeredHere = 0;
    for (let i = 0; ; i += 1) {
      const create = i % 4 === 0;
      let answer;
      try {
        answer = await send(agent, create ? 'POST' : 'GET', `/api/${session.userId}/tasks`, {
          token: session.token,
          ...(create ? { body: { title: `load ${i}` } } : {}),
        });
      } catch (error) {
        report.failed += 1;
        report.errors.push(String(error.code ?? error.message));
        return;
      }
      if (answer.refused !== undefined) return; // the server is gone: this client is done
      report.answered += 1;
      report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500) report.failed += 1;
      if ((answeredHere += 1) === 5 && (warmedUp += 1) === clients) console.log('ready');
      if (answer.close) {
        report.closedByServer += 1;
        agent.destroy();
        agent = new Agent({ keepAlive: true, maxSockets: 1 });
        await sleep(50);
      }
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  console.log(JSON.stringify(report));
}

const modes = { flow, check, load };
if (modes[mode] === undefined || baseUrl === undefined || email === undefined) {
  console.error('usage: api-smoke.mjs flow|check|load <base-url> <email> [title]');
  process.exit(2);
}
modes[mode]().catch((error) => {
  console.error(`smoke: ${error.message}`);
  process.exit(1);
});
