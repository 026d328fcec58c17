import { createClient } from '@enclave/client';
import { registered } from './support/accounts';
import { baseUrl } from './support/environment';
import { expect, expectNoPageErrors, test, watch } from './support/fixtures';
import { addTask, signIn, taskLink } from './support/ui';

const REFRESH_TOKEN_KEY = 'enclave.refresh_token';

test('the session survives a reload, and signing out ends it in every tab', async ({
  page,
  context,
  problems,
}) => {
  const account = await registered();
  await signIn(page, account);
  await addTask(page, 'Water the plants');
  await taskLink(page, 'Water the plants').click();
  await expect(page.getByRole('heading', { name: 'Edit task' })).toBeVisible();
  const address = page.url();

  // A reload keeps the screen and the user: the refresh token is in localStorage.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Edit task' })).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue('Water the plants');
  expect(page.url()).toBe(address);
  const stored = await page.evaluate((key) => localStorage.getItem(key), REFRESH_TOKEN_KEY);
  expect(stored).toEqual(expect.any(String));

  // A second tab of the same browser is signed in too.
  const other = await context.newPage();
  const otherProblems = watch(other);
  await other.goto('/#/tasks');
  await expect(taskLink(other, 'Water the plants')).toBeVisible();

  // The newest refresh token (the second tab traded the one read above).
  const latest = await page.evaluate((key) => localStorage.getItem(key), REFRESH_TOKEN_KEY);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeFocused();
  expect(await page.evaluate((key) => localStorage.getItem(key), REFRESH_TOKEN_KEY)).toBeNull();
  // The other tab follows at once, and says why.
  await expect(other.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(other.getByText('You signed out in another tab.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Signed out on the server too: the last refresh token is revoked.
  const refreshed = await createClient({ baseUrl: baseUrl() }).auth.refresh({
    body: { refresh_token: latest ?? '' },
  });
  expect(refreshed.status).toBe(401);

  expect(problems.failedRequests).toEqual([]);
  expect(otherProblems.failedRequests).toEqual([]);
  expectNoPageErrors(otherProblems);
});

test('a reload while the server is unavailable waits for it, saying so, and stays signed in', async ({
  page,
  problems,
}) => {
  const account = await registered();
  await signIn(page, account);
  await addTask(page, 'Kept through the outage');
  // The next two refreshes find the server unavailable (its own answer, Retry-After: 1).
  let refused = 0;
  await page.route(/\/auth\/refresh$/, async (route) => {
    if (refused >= 2) return route.fallback();
    refused += 1;
    return route.fulfill({
      status: 503,
      headers: { 'retry-after': '1', 'content-type': 'application/json' },
      body: JSON.stringify({
        error: 'Service Unavailable',
        message: 'The database is unavailable; try again shortly',
        status_code: 503,
      }),
    });
  });
  await page.reload();
  // The session is restoring, not signed out: no sign-in screen, and the banner says why.
  const banner = page.getByTestId('unavailable-banner');
  await expect(banner).toBeVisible();
  await expect(page.getByText('Restoring your session…')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toHaveCount(0);
  // Tried again after Retry-After, without the user doing anything.
  await expect(taskLink(page, 'Kept through the outage')).toBeVisible();
  await expect(banner).toHaveCount(0);
  expect(refused).toBe(2);
  expect(problems.failedRequests).toEqual(['POST /auth/refresh 503', 'POST /auth/refresh 503']);
});
