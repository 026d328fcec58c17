import { registered } from './support/accounts';
import { expect, expectNoPageErrors, test, watch } from './support/fixtures';
import { addTask, signIn, taskLink } from './support/ui';

// The change stream in the app: what one browser context of a user does shows in another
// context of the same user within a second, with no reload, and never in another user's.
const WITHIN_A_SECOND = { timeout: 1_000 };

test('a task created, completed, edited and deleted in one context shows in another within a second, and in no other user’s', async ({
  browser,
  page,
  problems,
}) => {
  const alice = await registered();
  const bob = await registered();
  await signIn(page, alice);

  // Alice's second context (another tab or device), and Bob's, both on the tasks list.
  const second = await browser.newContext();
  const secondPage = await second.newPage();
  const secondProblems = watch(secondPage);
  await signIn(secondPage, alice);
  await expect(secondPage.getByText('No tasks yet')).toBeVisible();
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  const bobProblems = watch(bobPage);
  const bobStreamed: string[] = [];
  bobPage.on('response', (response) => {
    if (response.url().includes('/changes/stream')) bobStreamed.push(response.url());
  });
  await signIn(bobPage, bob);
  await expect(bobPage.getByText('No tasks yet')).toBeVisible();

  // Created in the first: listed in the second.
  await addTask(page, 'Water the plants');
  await expect(taskLink(secondPage, 'Water the plants')).toBeVisible(WITHIN_A_SECOND);

  // Completed in the first: checked in the second.
  await page.getByRole('checkbox', { name: 'Done: Water the plants' }).check();
  await expect(secondPage.getByRole('checkbox', { name: 'Done: Water the plants' })).toBeChecked(
    WITHIN_A_SECOND,
  );

  // Edited from elsewhere (Alice's own API client): renamed in both.
  const listed = await alice.client.tasks.list({ params: { user_id: alice.userId } });
  if (listed.status !== 200) throw new Error('list failed');
  const id = listed.body.tasks[0]!.id;
  await alice.client.tasks.patch({
    params: { user_id: alice.userId, id },
    body: { title: 'Water the plants twice' },
  });
  await expect(taskLink(page, 'Water the plants twice')).toBeVisible(WITHIN_A_SECOND);
  await expect(taskLink(secondPage, 'Water the plants twice')).toBeVisible(WITHIN_A_SECOND);

  // Deleted in the first (from its own screen): gone from the second's list.
  await taskLink(page, 'Water the plants twice').click();
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(secondPage.getByText('No tasks yet')).toBeVisible(WITHIN_A_SECOND);

  // Bob followed his own stream all along, and saw nothing of Alice's.
  expect(bobStreamed.length).toBeGreaterThan(0);
  await expect(bobPage.getByText('No tasks yet')).toBeVisible();
  await expect(bobPage.getByText('Water the plants')).toHaveCount(0);

  expectNoPageErrors(problems);
  expectNoPageErrors(secondProblems);
  expectNoPageErrors(bobProblems);
  expect(secondProblems.failedRequests).toEqual([]);
  expect(bobProblems.failedRequests).toEqual([]);
  await second.close();
  await bobContext.close();
});
