import type { Route } from '@playwright/test';
import { namedAccount, registered } from './support/accounts';
import { expect, screenshot, test } from './support/fixtures';
import { signIn, taskLink } from './support/ui';

// The server's own answer when its database is away (apps/server/src/http/errors.ts).
const unavailable = {
  status: 503,
  headers: { 'retry-after': '1', 'content-type': 'application/json' },
  body: JSON.stringify({
    error: 'Service Unavailable',
    message: 'The database is unavailable; try again shortly',
    status_code: 503,
  }),
};

test('a 503 shows the banner, and the app recovers by itself when the server is back', async ({
  page,
  problems,
}) => {
  const account = await registered(namedAccount('lee'));
  await account.client.tasks.create({
    params: { user_id: account.userId },
    body: { title: 'Survives the outage' },
  });
  // The next three reads of the task list find the server unavailable.
  let refused = 0;
  await page.route(/\/api\/[^/]+\/tasks\?/, async (route: Route) => {
    if (route.request().method() === 'GET' && refused < 3) {
      refused += 1;
      await route.fulfill(unavailable);
    } else {
      await route.fallback();
    }
  });
  await signIn(page, account);
  const banner = page.getByTestId('unavailable-banner');
  await expect(banner).toBeVisible();
  await expect(page.getByRole('status').filter({ has: banner })).toHaveAttribute(
    'aria-live',
    'polite',
  );
  await expect(page.getByText('Loading tasks…')).toBeVisible();
  await screenshot(page, 'server-unavailable');
  // Retried after Retry-After, without the user doing anything.
  await expect(taskLink(page, 'Survives the outage')).toBeVisible();
  await expect(banner).toHaveCount(0);
  expect(refused).toBe(3);
  expect(problems.failedRequests).toEqual([
    'GET /api/:user/tasks 503',
    'GET /api/:user/tasks 503',
    'GET /api/:user/tasks 503',
  ]);
});

test('a create whose answer is lost is retried with its Idempotency-Key, making one task', async ({
  page,
  problems,
}) => {
  const account = await registered();
  await signIn(page, account);
  // The server makes the task, but its answer is lost on the way: the browser sees a 503.
  const keys: (string | undefined)[] = [];
  const replayed: (string | null)[] = [];
  await page.route(/\/api\/[^/]+\/tasks$/, async (route: Route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    keys.push(
      await route
        .request()
        .headerValue('idempotency-key')
        .then((v) => v ?? undefined),
    );
    const response = await route.fetch();
    replayed.push(response.headers()['idempotent-replayed'] ?? null);
    if (keys.length === 1) return route.fulfill(unavailable);
    return route.fulfill({ response });
  });
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill('Exactly once');
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(taskLink(page, 'Exactly once')).toBeVisible();
  // The change stream may show the task before the retry's answer: wait for the retry itself.
  await expect.poll(() => keys.length).toBe(2);
  expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(keys[1]).toBe(keys[0]);
  expect(replayed).toEqual([null, 'true']);
  const stored = await account.client.tasks.list({ params: { user_id: account.userId } });
  expect(stored.status === 200 && stored.body.tasks.map((task) => task.title)).toEqual([
    'Exactly once',
  ]);
  expect(problems.failedRequests).toEqual(['POST /api/:user/tasks 503']);
});
