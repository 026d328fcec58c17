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
