import type { Page, Response } from '@playwright/test';
import { registered } from './support/accounts';
import { expect, expectNoPageErrors, test, watch } from './support/fixtures';
import { signIn, taskLink } from './support/ui';

// The change stream in the app: what one browser context of a user does shows in another
// context of the same user with no reload, and never in another user's. How long each took
// is measured and reported (the issue asks for under a second); a timing is not asserted.

const isStream = (response: Response) =>
  new URL(response.url()).pathname.endsWith('/changes/stream');

/** Resolves with the first change stream `page` opens from now on (its answer's headers). */
const streamOpened = (page: Page) => page.waitForResponse(isStream);

test('a task created, completed, edited and deleted in one context shows in another, and in no other user’s', async ({
  browser,
  page,
  problems,
}) => {
  const alice = await registered();
  const bob = await registered();
  const delays: Record<string, number> = {};
  /** Runs `act`, then waits for `shown`: the time between, in ms, is recorded as `name`. */
  async function timed(name: string, act: () => Promise<unknown>, shown: () => Promise<void>) {
    const started = Date.now();
    await act();
    await shown();
    delays[name] = Date.now() - started;
  }

  const firstStream = streamOpened(page);
  await signIn(page, alice);
  expect((await firstStream).status()).toBe(200);

  // Alice's second context (another tab or device). Its stream is held back until its list
  // has been read and a task added elsewhere: the start-up gap, which the app closes by
  // reading its lists again once the stream is open.
  const second = await browser.newContext();
  const secondPage = await second.newPage();
  const secondProblems = watch(secondPage);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await secondPage.route(/\/changes\/stream$/, async (route) => {
    await released;
    await route.continue();
  });
  const secondStream = streamOpened(secondPage);
  await signIn(secondPage, alice);
  await expect(secondPage.getByText('No tasks yet')).toBeVisible();
  const early = await alice.client.tasks.create({
    params: { user_id: alice.userId },
    body: { title: 'Made before the stream opened' },
  });
  expect(early.status).toBe(201);
  release();
  expect((await secondStream).status()).toBe(200);
  await secondPage.unroute(/\/changes\/stream$/);
  await expect(taskLink(secondPage, 'Made before the stream opened')).toBeVisible();
  await expect(taskLink(page, 'Made before the stream opened')).toBeVisible();

  // Bob, signed in beside them, following his own stream.
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  const bobProblems = watch(bobPage);
  const bobStream = streamOpened(bobPage);
  await signIn(bobPage, bob);
  expect((await bobStream).status()).toBe(200);

  // Created in the first: listed in the second.
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill('Water the plants');
  await timed(
    'created',
    () => form.getByRole('button', { name: 'Add task' }).click(),
    () => expect(taskLink(secondPage, 'Water the plants')).toBeVisible(),
  );

  // Completed in the first: checked in the second.
  const done = (tab: Page) => tab.getByRole('checkbox', { name: 'Done: Water the plants' });
  await timed(
    'completed',
    () => done(page).check(),
    () => expect(done(secondPage)).toBeChecked(),
  );

  // Edited from elsewhere (Alice's own API client): renamed in both.
  const listed = await alice.client.tasks.list({
    params: { user_id: alice.userId },
    query: { q: 'Water' },
  });
  if (listed.status !== 200) throw new Error(`list answered ${listed.status}`);
  const [watered] = listed.body.tasks;
  await timed(
    'edited',
    () =>
      alice.client.tasks.patch({
        params: { user_id: alice.userId, id: watered!.id },
        body: { title: 'Water the plants twice' },
      }),
    async () => {
      await expect(taskLink(page, 'Water the plants twice')).toBeVisible();
      await expect(taskLink(secondPage, 'Water the plants twice')).toBeVisible();
    },
  );

  // Deleted in the first (from its own screen): gone from the second's list.
  await taskLink(page, 'Water the plants twice').click();
  await page.getByRole('button', { name: 'Delete task' }).click();
  await timed(
    'deleted',
    () => page.getByRole('button', { name: 'Yes, delete' }).click(),
    () => expect(taskLink(secondPage, 'Water the plants twice')).toHaveCount(0),
  );
  await expect(taskLink(secondPage, 'Made before the stream opened')).toBeVisible();

  // Bob saw none of it, with his stream open all along.
  await expect(bobPage.getByText('No tasks yet')).toBeVisible();
  await expect(bobPage.getByText(/Water the plants|Made before the stream opened/)).toHaveCount(0);

  test.info().annotations.push({
    type: 'delay (ms) from the action to the other context showing it',
    description: JSON.stringify(delays),
  });
  console.info(`[live-changes] action → shown in the other context, ms: ${JSON.stringify(delays)}`);

  expectNoPageErrors(problems);
  expectNoPageErrors(secondProblems);
  expectNoPageErrors(bobProblems);
  expect(problems.failedRequests).toEqual([]);
  expect(secondProblems.failedRequests).toEqual([]);
  expect(bobProblems.failedRequests).toEqual([]);
  await second.close();
  await bobContext.close();
});
