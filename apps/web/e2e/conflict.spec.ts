import { namedAccount, registered } from './support/accounts';
import { expect, expectNoPageErrors, screenshot, test, watch } from './support/fixtures';
import { addTask, signIn, taskLink } from './support/ui';

test('two tabs editing one task: the second is told it changed elsewhere, and can reload', async ({
  context,
  page,
  problems,
}) => {
  const account = await registered(namedAccount('kim'));
  await signIn(page, account);
  await addTask(page, 'Plan the trip');
  await taskLink(page, 'Plan the trip').click();
  await expect(page.getByRole('heading', { name: 'Edit task' })).toBeVisible();

  // The same task open in a second tab of the same browser.
  const second = await context.newPage();
  const secondProblems = watch(second);
  await second.goto(page.url());
  await expect(second.getByLabel('Title')).toHaveValue('Plan the trip');

  await page.getByLabel('Title').fill('Plan the trip to Lisbon');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();

  // The second tab still holds the first version: its save is refused, nothing is lost.
  await second.getByLabel('Title').fill('Plan the trip to Porto');
  await second.getByRole('button', { name: 'Save' }).click();
  const notice = second.getByRole('alert').filter({ hasText: 'Changed elsewhere' });
  await expect(notice).toBeVisible();
  await expect(second.getByLabel('Title')).toHaveValue('Plan the trip to Porto');
  await screenshot(second, 'task-changed-elsewhere');

  await notice.getByRole('button', { name: 'Reload' }).click();
  await expect(notice).toHaveCount(0);
  await expect(second.getByLabel('Title')).toHaveValue('Plan the trip to Lisbon');
  await expect(second.getByLabel('Title')).toBeFocused();

  // Made again on the current version, the change goes through.
  await second.getByLabel('Title').fill('Plan the trip to Lisbon and Porto');
  await second.getByRole('button', { name: 'Save' }).click();
  await expect(second.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Title')).toHaveValue('Plan the trip to Lisbon and Porto');

  expect(problems.failedRequests).toEqual([]);
  expect(secondProblems.failedRequests).toEqual(['PATCH /api/:user/tasks/:id 412']);
  expectNoPageErrors(secondProblems);
});
