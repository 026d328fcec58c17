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
  // The frozen tab's change stream is refused too while its clock is stopped (it retries).
  const actions = frozenProblems.failedRequests.filter((line) => !line.includes('/changes/stream'));
  expect(actions).toEqual(['POST /api/:user/tasks 401']);
  expectNoPageErrors(frozenProblems);
  await frozenContext.close();
});
