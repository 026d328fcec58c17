import { readFileSync } from 'node:fs';
import { createClient } from '@enclave/client';
import { newAccount, registered } from './support/accounts';
import { baseUrl } from './support/environment';
import { expect, screenshot, test } from './support/fixtures';
import { addTask, signIn } from './support/ui';

const anonymous = () => createClient({ baseUrl: baseUrl() });

test('change the password; see the sessions, sign one out, then all', async ({
  page,
  problems,
}) => {
  // Signed in twice already (another device), then here.
  const account = await registered();
  await signIn(page, account);
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Your account', exact: true })).toBeFocused();

  const sessions = page.getByRole('list', { name: 'Sessions' }).getByRole('listitem');
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(sessions.filter({ hasText: 'This device' })).toContainText('Chrome on Linux');
  await screenshot(page, 'account', true);

  // Sign the other one out: its refresh token stops working.
  await sessions
    .filter({ hasNotText: 'This device' })
    .getByRole('button', { name: /^Sign out/ })
    .click();
  await expect(sessions).toHaveCount(1);
  const refused = await anonymous().auth.refresh({
    body: { refresh_token: account.tokens.refresh_token },
  });
  expect(refused.status).toBe(401);

  // A wrong current password is said beside its field, and this session goes on.
  const form = page.getByRole('form', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not the password at all');
  await form.getByLabel('New password').fill('another good passphrase');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByLabel('Current password')).toHaveAccessibleDescription(
    'The current password is not right.',
  );
  await expect(form.getByLabel('Current password')).toBeFocused();
  await form.getByLabel('Current password').fill(account.password);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByText('Changed. Every other device was signed out.')).toBeVisible();
  expect(
    (await anonymous().auth.login({ body: { email: account.email, password: account.password } }))
      .status,
  ).toBe(401);
  const changed = { email: account.email, password: 'another good passphrase' };
  expect((await anonymous().auth.login({ body: changed })).status).toBe(200);
  // Still signed in here: the app reads on.
  await page.getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByText('No tasks yet')).toBeVisible();

  // Sign out everywhere: this device too.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  expect(problems.failedRequests).toEqual(['POST /auth/password 401']);
});

test('download my data: the export holds the tasks', async ({ page, problems }) => {
  const account = await registered();
  await signIn(page, account);
  await addTask(page, 'Take the export');
  await page.getByRole('link', { name: 'Account' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download my data' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.json$/);
  const path = await download.path();
  const exported = JSON.parse(readFileSync(path, 'utf8')) as {
    user: { email: string } | null;
    tasks: { title: string; user_id: string }[];
    projects: unknown[];
    notes: unknown[];
  };
  expect(exported.user?.email).toBe(account.email);
  expect(exported.tasks.map((task) => task.title)).toEqual(['Take the export']);
  expect(exported.tasks[0]?.user_id).toBe(account.userId);
  expect(JSON.stringify(exported)).not.toContain(account.password);
  expect(problems.failedRequests).toEqual([]);
});

test('delete my account: the email typed to confirm; then signed out, and gone', async ({
  page,
  problems,
}) => {
  const account = await registered(newAccount('leaving'));
  await signIn(page, account);
  await addTask(page, 'Soon gone');
  await page.getByRole('link', { name: 'Account' }).click();
  const form = page.getByRole('form', { name: 'Delete your account' });
  const submit = form.getByRole('button', { name: 'Delete my account and all my data' });

  // Not until the email is typed: pressing does nothing.
  await form.getByLabel('Your password').fill(account.password);
  await expect(submit).toHaveAttribute('aria-disabled', 'true');
  // Pressed anyway (a focusable button that says it is disabled): nothing is sent.
  await submit.click({ force: true });
  await form.getByLabel(/^Type your email/).fill('someone-else@example.com');
  await expect(submit).toHaveAttribute('aria-disabled', 'true');
  await form.getByLabel(/^Type your email/).fill(account.email.toUpperCase());
  await expect(submit).toHaveAttribute('aria-disabled', 'false');
  // A wrong password: refused beside the field, nothing deleted.
  await form.getByLabel('Your password').fill('not my password, sorry');
  await submit.click();
  await expect(form.getByLabel('Your password')).toHaveAccessibleDescription(
    'The password is not right.',
  );
  await form.getByLabel('Your password').fill(account.password);
  await submit.click();

  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Your account and all its data were deleted.')).toBeVisible();
  // Signing in fails now; its data is gone (the email may register afresh, with nothing).
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Email or password is incorrect')).toBeVisible();
  const again = await registered({ email: account.email, password: account.password });
  const tasks = await again.client.tasks.list({ params: { user_id: again.userId } });
  expect(tasks.status === 200 ? tasks.body.tasks : undefined).toEqual([]);
  const old = await again.client.tasks.list({ params: { user_id: account.userId } });
  expect(old.status).toBe(403);

  expect(problems.failedRequests).toEqual(['DELETE /auth/me 401', 'POST /auth/login 401']);
});
