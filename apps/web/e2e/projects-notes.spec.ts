import { namedAccount, registered } from './support/accounts';
import { expect, screenshot, test } from './support/fixtures';
import { addTask, announcement, signIn, taskLink } from './support/ui';

test('projects group tasks; notes are written and pinned', async ({ page, problems }) => {
  const account = await registered(namedAccount('sam'));
  await signIn(page, account);

  await page.getByRole('link', { name: 'Projects' }).click();
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeFocused();
  await expect(page.getByText('No projects yet')).toBeVisible();
  for (const [name, description] of [
    ['Garden', 'Spring planting'],
    ['Home', null],
  ] as const) {
    await page.getByLabel('Name').fill(name);
    if (description !== null) await page.getByLabel('Description').fill(description);
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(announcement(page)).toHaveText(`Project “${name}” created`);
  }
  await expect(page.getByLabel('Name')).toBeFocused();
  const projects = page.getByRole('list', { name: 'Projects' }).getByRole('listitem');
  await expect(projects).toHaveText([/Garden/, /Home/]);

  // File tasks under a project, from the new-task form.
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await addTask(page, 'Plant tulips', { project: 'Garden', description: 'Before the frost' });
  await addTask(page, 'Fix the tap', { project: 'Home' });
  await addTask(page, 'Call the bank');
  await page.getByRole('checkbox', { name: 'Done: Call the bank' }).check();
  await expect(page.getByRole('checkbox', { name: 'Done: Call the bank' })).toBeChecked();
  const items = page.getByRole('list', { name: 'Tasks' }).getByRole('listitem');
  await expect(items.filter({ hasText: 'Plant tulips' })).toContainText('Garden');
  await screenshot(page, 'tasks', true);

  // A project's tasks, from its row.
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'Tasks in Garden' }).click();
  await expect(items).toHaveText([/Plant tulips/]);
  await expect(page.getByLabel('In project')).toHaveValue(/\d+/);

  // Moved out of it on the edit screen.
  await taskLink(page, 'Plant tulips').click();
  await expect(page.getByLabel('Project')).toHaveValue(/\d+/);
  await page.getByLabel('Project').selectOption({ label: 'No project' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.goBack();
  await expect(page.getByText('No tasks match these filters.')).toBeVisible();

  // Archiving keeps the project, marked.
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('button', { name: 'Archive Home' }).click();
  await expect(projects.filter({ hasText: 'Home' })).toContainText('archived');
  await expect(page.getByRole('button', { name: 'Restore Home' })).toBeVisible();
  await screenshot(page, 'projects');

  // Renamed in place; the task filed under it follows.
  await page.getByRole('button', { name: 'Edit Home' }).click();
  const rename = page.getByRole('form', { name: 'Edit project Home' });
  await expect(rename.getByLabel('Name')).toBeFocused();
  await rename.getByLabel('Name').fill('Garden');
  await rename.getByRole('button', { name: 'Save project' }).click();
  await expect(rename.getByLabel('Name')).toHaveAccessibleDescription(
    'You already have a project with this name.',
  );
  await rename.getByLabel('Name').fill('House');
  await rename.getByRole('button', { name: 'Save project' }).click();
  await expect(announcement(page)).toHaveText('Project “House” saved');
  await expect(page.getByRole('button', { name: 'Edit House' })).toBeFocused();
  await expect(projects).toHaveText([/Garden/, /House/]);

  // Deleted after a question; its task stays, in no project.
  await page.getByRole('button', { name: 'Delete House' }).click();
  await expect(
    page.getByRole('group', { name: 'Delete the project “House”? Its tasks stay, in no project.' }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(announcement(page)).toHaveText('Project “House” deleted');
  await expect(projects).toHaveText([/Garden/]);
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await expect(items.filter({ hasText: 'Fix the tap' })).not.toContainText('House');
  await page.getByLabel('In project').selectOption({ label: 'No project' });
  await expect(items).toHaveText([/Call the bank/, /Fix the tap/, /Plant tulips/]);

  // Notes: write, pin, filter.
  await page.getByRole('link', { name: 'Notes' }).click();
  await expect(page.getByText('No notes yet')).toBeVisible();
  for (const body of ['Passport expires in May', 'Gate code 4711']) {
    await page.getByLabel('Note', { exact: true }).fill(body);
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect(announcement(page)).toHaveText('Note added');
  }
  const pin = page.getByRole('button', { name: 'Pin note: Gate code 4711' });
  await expect(pin).toHaveAttribute('aria-pressed', 'false');
  await pin.click();
  await expect(pin).toHaveAttribute('aria-pressed', 'true');
  await expect(announcement(page)).toHaveText('Note pinned');

  // Edited in place; Cancel leaves it as it was.
  await page.getByRole('button', { name: 'Edit note: Passport expires in May' }).click();
  const edit = page.getByRole('form', { name: 'Edit note' });
  await expect(edit.getByLabel('Note')).toBeFocused();
  await edit.getByLabel('Note').fill('');
  await edit.getByRole('button', { name: 'Save note' }).click();
  await expect(edit.getByLabel('Note')).toHaveAccessibleDescription(
    'Note must be 1–10000 characters',
  );
  await edit.getByLabel('Note').fill('Passport expires in June');
  await edit.getByRole('button', { name: 'Save note' }).click();
  await expect(announcement(page)).toHaveText('Note saved');
  await expect(
    page.getByRole('button', { name: 'Edit note: Passport expires in June' }),
  ).toBeFocused();
  await expect(page.getByRole('list', { name: 'Notes' })).toContainText(
    /edited (just now|1 minute ago)/,
  );
  await screenshot(page, 'notes');
  await page.getByLabel('Show').selectOption('Pinned only');
  const notes = page.getByRole('list', { name: 'Notes' }).getByRole('listitem');
  await expect(notes).toHaveText([/Gate code 4711/]);
  await page.getByRole('button', { name: 'Delete note: Gate code 4711' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByText('No pinned notes.')).toBeVisible();
  await expect(announcement(page)).toHaveText('Note deleted');

  expect(problems.failedRequests).toEqual([
    'PATCH /api/:user/projects/:id 409',
    'PATCH /api/:user/notes/:id 400',
  ]);
});
