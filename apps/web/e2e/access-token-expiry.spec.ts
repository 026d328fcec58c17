import { registered } from './support/accounts';
import { expect, expectNoPageErrors, pathPattern, test, watch } from './support/fixtures';
import { ACCESS_TOKEN_TTL_SECONDS } from './support/server';
import { addTask, signIn, taskLink } from './support/ui';

// The run's one slow test (it waits for a real token to expire on the server), in the file
// that sorts first, so it starts at once and the other tests run beside it.
test('an expired access token is refreshed without the user noticing', async ({
  browser,
  page,
  problems,
}) => {
  // Waits for the real token to expire on the server: the server's shortest lifetime.
  test.setTimeout((ACCESS_TOKEN_TTL_SECONDS + 60) * 1000);
  const account = await registered();

  // This tab's clock runs: it sees the token is due and trades it before using it.
  await signIn(page, account);
  await addTask(page, 'Before expiry');

  // This one's clock stands still (timers run on): it sends the expired token, the server
  // refuses it, and the app trades the refresh token and repeats the request.
  const frozenContext = await browser.newContext();
  const frozen = await frozenContext.newPage();
  const frozenProblems = watch(frozen);
  await frozen.clock.setFixedTime(new Date());
  await signIn(frozen, account);
  await expect(taskLink(frozen, 'Before expiry')).toBeVisible();
  // The server ends its change stream when the token expires, and the stream's reconnection
  // would trade the token first (see the next tab): held here, so this tab's first request
  // after expiry is the user's own.
  await frozen.route(/\/changes\/stream$/, () => undefined);

  // Another tab with a stopped clock, left on its list: its change stream meets the expiry.
  const listeningContext = await browser.newContext();
  const listening = await listeningContext.newPage();
  const listeningProblems = watch(listening);
  await listening.clock.setFixedTime(new Date());
  const streams: number[] = [];
  const trades: number[] = [];
  listening.on('response', (response) => {
    const path = pathPattern(response.url());
    if (path.endsWith('/changes/stream')) streams.push(response.status());
    if (path === '/auth/refresh') trades.push(response.status());
  });
  await signIn(listening, account);
  await expect(taskLink(listening, 'Before expiry')).toBeVisible();

  const requests: Record<'page' | 'frozen', string[]> = { page: [], frozen: [] };
  for (const [name, tab] of [
    ['page', page],
    ['frozen', frozen],
  ] as const) {
    tab.on('response', (response) => {
      const path = pathPattern(response.url());
      // The change stream reconnects on its own schedule; this test follows the requests a
      // user's action makes.
      const live = path.endsWith('/changes/stream');
      if ((path.startsWith('/api/') || path.startsWith('/auth/')) && !live) {
        requests[name].push(`${response.request().method()} ${path} ${response.status()}`);
      }
    });
  }

  await page.waitForTimeout((ACCESS_TOKEN_TTL_SECONDS + 2) * 1000);

  await addTask(page, 'After expiry');
  await addTask(frozen, 'After expiry, frozen clock');
  for (const tab of [page, frozen]) {
    await expect(tab.getByRole('heading', { name: 'Tasks' })).toBeVisible();
    await expect(tab.getByRole('alert')).toHaveCount(0);
  }
  expect(requests.page.slice(0, 2)).toEqual([
    'POST /auth/refresh 200',
    'POST /api/:user/tasks 201',
  ]);
  expect(requests.frozen.slice(0, 3)).toEqual([
    'POST /api/:user/tasks 401',
    'POST /auth/refresh 200',
    'POST /api/:user/tasks 201',
  ]);
  expect(problems.failedRequests).toEqual([]);
  expect(frozenProblems.failedRequests).toEqual(['POST /api/:user/tasks 401']);
  expectNoPageErrors(frozenProblems);

  // The listening tab's stream ended at expiry; reconnecting, the stale token was refused
  // once, traded, and the stream went on from where it was: the new tasks arrived.
  await expect(taskLink(listening, 'After expiry')).toBeVisible();
  await expect(taskLink(listening, 'After expiry, frozen clock')).toBeVisible();
  expect(streams).toEqual([200, 401, 200]);
  expect(trades).toEqual([200]);
  expect(listeningProblems.failedRequests).toEqual(['GET /api/:user/changes/stream 401']);
  expectNoPageErrors(listeningProblems);
  await frozenContext.close();
  await listeningContext.close();
});
