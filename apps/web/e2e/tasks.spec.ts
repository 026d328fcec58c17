import { newAccount, registered } from './support/accounts';
import { expect, screenshot, test } from './support/fixtures';
import { announcement, signIn, taskLink } from './support/ui';

test('sign up (signed in at once), then create, edit, complete and delete a task', async ({
  page,
  problems,
}) => {
  const account = newAccount('ann');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeFocused();
  await screenshot(page, 'sign-in');

  await page.getByRole('link', { name: 'Sign up' }).click();
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeFocused();
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();

  // Signing up signs in: straight into the app, no second form to fill.
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeFocused();
  await expect(page).toHaveURL(/#\/tasks$/);
  await expect(announcement(page)).toHaveText('Account created. You are signed in.');
  await expect(page.getByText('No tasks yet')).toBeVisible();
  await expect(page.getByRole('banner').getByText(account.email)).toBeVisible();
  // A new account has an email to verify: the app says so, once.
  await expect(page.getByRole('region', { name: 'Verify your email' })).toContainText(
    `we sent a link to ${account.email}`,
  );

  // Create, from the keyboard: type, Enter; the focus comes back for the next one.
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill('Buy milk');
  await form.getByLabel('Description').fill('Two litres');
  await form.getByLabel('Title').press('Enter');
  await expect(taskLink(page, 'Buy milk')).toBeVisible();
  await expect(form.getByLabel('Title')).toBeFocused();
  await expect(form.getByLabel('Title')).toHaveValue('');
  await expect(announcement(page)).toHaveText('Task “Buy milk” added');
  await expect(page.getByText('Showing 1 of 1 task')).toBeVisible();

  // Edit: its own address, the fields filled with the task.
  await taskLink(page, 'Buy milk').click();
  await expect(page).toHaveURL(/#\/tasks\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Edit task' })).toBeFocused();
  await expect(page.getByLabel('Description')).toHaveValue('Two litres');
  await page.getByLabel('Title').fill('Buy oat milk');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(announcement(page)).toHaveText('Task saved');
  await page.getByRole('link', { name: '← All tasks' }).click();
  await expect(taskLink(page, 'Buy oat milk')).toBeVisible();

  // Complete, with the space bar on the checkbox.
  const done = page.getByRole('checkbox', { name: 'Done: Buy oat milk' });
  await done.focus();
  await page.keyboard.press('Space');
  await expect(done).toBeChecked();
  await expect(announcement(page)).toHaveText('“Buy oat milk” marked done');
  await page.getByLabel('Status').selectOption('Open');
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();
  await page.getByLabel('Status').selectOption('Done');
  await expect(taskLink(page, 'Buy oat milk')).toBeVisible();
  await page.getByLabel('Status').selectOption('All');

  // The edit screen says when the task was made and changed, for people and machines.
  await taskLink(page, 'Buy oat milk').click();
  await expect(page.getByRole('checkbox', { name: 'Done' })).toBeChecked();
  await expect(page.getByText(/^Created (just now|1 minute ago) · edited/)).toBeVisible();
  const created = await page.locator('time').first().getAttribute('datetime');
  expect(Date.now() - Date.parse(created ?? '')).toBeLessThan(120_000);

  // Delete asks first; Cancel keeps the task, and the focus goes back to the button.
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(
    page.getByRole('group', { name: 'Delete the task “Buy oat milk”? This cannot be undone.' }),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Delete task' })).toBeFocused();
  // Then delete: back to the list, which is empty again.
  await page.getByRole('button', { name: 'Delete task' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeFocused();
  await expect(page).toHaveURL(/#\/tasks$/);
  await expect(page.getByText('No tasks yet')).toBeVisible();
  await expect(announcement(page)).toHaveText('Task “Buy oat milk” deleted');

  expect(problems.failedRequests).toEqual([]);
});

test('validation errors are shown beside their fields', async ({ page, problems }) => {
  await page.goto('/#/sign-up');
  await page.getByLabel('Email').fill('not an email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Sign up' }).click();
  // Each message under its own field, read with it; the focus on the first to fix.
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription(
    'Email must be an email address such as ann@example.com',
  );
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email')).toBeFocused();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(
    'Choose a password of 12 to 128 characters (spaces are fine) that is not your email address.',
  );
  await screenshot(page, 'sign-up-errors');

  const account = await registered();
  await signIn(page, account);
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(form.getByLabel('Title')).toHaveAccessibleDescription(
    'Title must be 1–200 characters',
  );
  await expect(form.getByLabel('Title')).toBeFocused();
  await form.getByLabel('Title').fill('x'.repeat(201));
  await form.getByLabel('Description').fill('fine');
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(form.getByLabel('Title')).toHaveAccessibleDescription(
    'Title must be 1–200 characters',
  );
  await expect(form.getByLabel('Description')).toHaveAttribute('aria-invalid', 'false');

  // A project name the user already has: 409, beside the name.
  await page.getByRole('link', { name: 'Projects' }).click();
  const projects = page.getByRole('form', { name: 'New project' });
  for (const attempt of [1, 2]) {
    await projects.getByLabel('Name').fill('Home');
    await projects.getByRole('button', { name: 'Create project' }).click();
    if (attempt === 1)
      await expect(page.getByRole('list', { name: 'Projects' })).toContainText('Home');
  }
  await expect(projects.getByLabel('Name')).toHaveAccessibleDescription(
    'You already have a project with this name.',
  );

  expect(problems.failedRequests).toEqual([
    'POST /auth/register 400',
    'POST /api/:user/tasks 400',
    'POST /api/:user/tasks 400',
    'POST /api/:user/projects 409',
  ]);
});

test('"Load more" pages through the tasks by cursor, with filters, search and sort', async ({
  page,
  problems,
}) => {
  const account = await registered();
  const { client, userId } = account;
  const project = await client.projects.create({
    params: { user_id: userId },
    body: { name: 'Errands' },
  });
  if (project.status !== 201) throw new Error(`project: ${project.status}`);
  for (let n = 1; n <= 25; n += 1) {
    const title = `Task ${String(n).padStart(2, '0')}`;
    const answer = await client.tasks.create({
      params: { user_id: userId },
      body: {
        title,
        description: n % 10 === 0 ? 'has the needle' : null,
        project_id: n <= 3 ? project.body.id : null,
        complete: n % 2 === 0,
      },
    });
    if (answer.status !== 201) throw new Error(`task: ${answer.status}`);
  }
  await signIn(page, account);

  const items = page.getByRole('list', { name: 'Tasks' }).getByRole('listitem');
  await expect(page.getByText('Showing 20 of 25 tasks')).toBeVisible();
  await expect(items).toHaveCount(20);
  await expect(items.first()).toContainText('Task 25'); // newest first
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(items).toHaveCount(25);
  await expect(page.getByText('Showing 25 of 25 tasks')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load more' })).toHaveCount(0);
  // The focus on the first task of the new page, to read on from there.
  await expect(taskLink(page, 'Task 05')).toBeFocused();

  await page.getByLabel('Sort by').selectOption('Title A–Z');
  await expect(items.first()).toContainText('Task 01');
  await expect(page).toHaveURL(/sort=title/);

  await page.getByLabel('Status').selectOption('Open');
  await expect(page.getByText('Showing 13 of 13 tasks')).toBeVisible();
  await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });

  await page.getByLabel('Status').selectOption('All');
  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('needle');
  await page.getByRole('searchbox', { name: 'Search tasks' }).press('Enter');
  await expect(items).toHaveText([/Task 10/, /Task 20/]);

  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByLabel('In project').selectOption({ label: 'Errands' });
  await expect(items).toHaveText([/Task 01/, /Task 02/, /Task 03/]);
  // The filters are in the address: a reload shows the same list.
  await page.reload();
  await expect(items).toHaveText([/Task 01/, /Task 02/, /Task 03/]);
  await expect(page.getByLabel('In project')).toHaveValue(String(project.body.id));

  expect(problems.failedRequests).toEqual([]);
});
