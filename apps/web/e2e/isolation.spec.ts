import { registered } from './support/accounts';
import { expect, expectNoPageErrors, test, watch } from './support/fixtures';
import { addTask, signIn, taskLink } from './support/ui';

test("another user sees none of the first user's items and cannot reach them by address", async ({
  browser,
  page,
  problems,
}) => {
  const alice = await registered();
  const bob = await registered();

  // Alice, in her browser: a task, a project, a note.
  await signIn(page, alice);
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByLabel('Name').fill('Alice’s project');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('list', { name: 'Projects' })).toContainText('Alice’s project');
  await page.getByRole('link', { name: 'Notes' }).click();
  await page.getByLabel('Note', { exact: true }).fill('Alice’s private note');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('list', { name: 'Notes' })).toContainText('Alice’s private note');
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await addTask(page, 'Alice’s secret task', { project: 'Alice’s project' });
  await taskLink(page, 'Alice’s secret task').click();
  const taskAddress = new URL(page.url()).hash; // #/tasks/<id>
  expect(taskAddress).toMatch(/^#\/tasks\/\d+$/);

  // Bob, in a browser of his own.
  const bobContext = await browser.newContext();
  const bobPage = await bobContext.newPage();
  const bobProblems = watch(bobPage);
  await signIn(bobPage, bob);
  await expect(bobPage.getByText('No tasks yet')).toBeVisible();
  await bobPage.getByRole('link', { name: 'Projects' }).click();
  await expect(bobPage.getByText('No projects yet')).toBeVisible();
  await bobPage.getByRole('link', { name: 'Notes' }).click();
  await expect(bobPage.getByText('No notes yet')).toBeVisible();
  // Typing Alice's task address: the same "not found" as a task that never existed.
  await bobPage.goto(`/${taskAddress}`);
  await expect(bobPage.getByRole('heading', { name: 'Task not found' })).toBeVisible();
  await expect(bobPage.getByText('Alice’s secret task')).toHaveCount(0);
  await bobPage.goto('/#/tasks/9007199254740991');
  await expect(bobPage.getByRole('heading', { name: 'Task not found' })).toBeVisible();
  // Nor can his token read Alice's paths, whatever a modified app would send.
  const forged = await bobPage.evaluate(
    async ({ aliceId, token }) =>
      (await fetch(`/api/${aliceId}/tasks`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    { aliceId: alice.userId, token: bob.tokens.access_token },
  );
  expect(forged).toBe(403);
  expect(bobProblems.failedRequests).toEqual([
    'GET /api/:user/tasks/:id 404',
    'GET /api/:user/tasks/:id 404',
    'GET /api/:user/tasks 403',
  ]);
  expectNoPageErrors(bobProblems);
  await bobContext.close();

  // On a shared computer: Alice signs out, Bob signs in in the same tab and sees only his.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, bob);
  await expect(page.getByText('No tasks yet')).toBeVisible();
  await page.goto(`/${taskAddress}`);
  await expect(page.getByRole('heading', { name: 'Task not found' })).toBeVisible();

  // Alice's items are all still hers.
  const stillThere = await alice.client.tasks.list({ params: { user_id: alice.userId } });
  expect(stillThere.status === 200 && stillThere.body.tasks.map((task) => task.title)).toEqual([
    'Alice’s secret task',
  ]);
  expect(problems.failedRequests).toEqual(['GET /api/:user/tasks/:id 404']);
});
