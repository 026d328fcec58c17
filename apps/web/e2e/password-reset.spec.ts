import { createClient } from '@enclave/client';
import { registered } from './support/accounts';
import { baseUrl } from './support/environment';
import { expect, test } from './support/fixtures';
import { inbox, waitForLink } from './support/mailbox';
import { signIn } from './support/ui';

test('a forgotten password is reset by the mailed link, and the old one stops working', async ({
  page,
  problems,
}) => {
  const account = await registered();
  // Registering mailed a verification link; the reset mail is the one after it.
  const before = (await inbox(account.email)).length;

  await page.goto('/#/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeFocused();
  await page.getByLabel('Email').fill(account.email);
  const asked = Date.now();
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(
    page.getByText(`If an account exists for ${account.email}, we sent a link`),
  ).toBeVisible();

  const { link, received } = await waitForLink(account.email, '/reset-password', { seen: before });
  console.log(
    `[e2e] forgot → reset mail in the inbox: ${Math.round(received.receivedAt - asked)} ms`,
  );
  expect(link.origin).toBe(baseUrl());
  expect(received.mail.subject).toMatch(/password/i);

  // Opening the link spends nothing (a mail scanner may open it first): only the form does.
  const scanner = await page
    .context()
    .request.get(link.toString(), { headers: { accept: 'text/html' } });
  expect(scanner.status()).toBe(200);
  await page.goto(link.toString());
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeFocused();
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByLabel('New password')).toHaveAccessibleDescription(
    'Choose a password of 12 to 128 characters (spaces are fine) that is not your email address.',
  );
  const newPassword = 'a brand new passphrase';
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeFocused();
  await expect(
    page.getByText('Your password was changed. Sign in with the new one.'),
  ).toBeVisible();
  // The token left the address bar with the screen.
  expect(page.url()).not.toContain('token=');

  // The old password is refused; the new one signs in.
  const anonymous = createClient({ baseUrl: baseUrl() });
  const old = await anonymous.auth.login({
    body: { email: account.email, password: account.password },
  });
  expect(old.status).toBe(401);
  await signIn(page, { email: account.email, password: newPassword });

  // The link works once: opened again, it says so, and offers a new one.
  await page.goto(link.toString());
  await page.getByLabel('New password').fill('yet another passphrase');
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();

  expect(problems.failedRequests).toEqual([
    'POST /auth/password/reset 400',
    'POST /auth/password/reset 400',
  ]);
});

test('an unknown email is answered as a known one', async ({ page, problems }) => {
  await page.goto('/#/forgot-password');
  await page.getByLabel('Email').fill('nobody-here@example.com');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(
    page.getByText('If an account exists for nobody-here@example.com, we sent a link'),
  ).toBeVisible();
  expect(problems.failedRequests).toEqual([]);
});

test('the email is verified from the mailed link, by a button (a scanner verifies nothing)', async ({
  page,
  problems,
}) => {
  const account = await registered();
  await signIn(page, account);
  const notice = page.getByRole('region', { name: 'Verify your email' });
  await expect(notice).toContainText(`we sent a link to ${account.email}`);
  const { link } = await waitForLink(account.email, '/verify-email');

  // Opening the page sends nothing: the notice stays until the button is pressed.
  await page.goto(link.toString());
  await expect(page.getByRole('heading', { name: 'Verify your email' })).toBeFocused();
  await page.getByRole('button', { name: 'Verify my email' }).click();
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your tasks' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeVisible();
  await expect(notice).toHaveCount(0);

  expect(problems.failedRequests).toEqual([]);
});
