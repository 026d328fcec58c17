import type { Page } from '@playwright/test';
import { registered } from './support/accounts';
import { expect, screenshot, test } from './support/fixtures';
import { addTask, signIn, taskLink } from './support/ui';

// A phone: 390 CSS pixels wide. Nothing may need sideways scrolling on any screen.
test.use({ viewport: { width: 390, height: 844 } });

async function expectNoSidewaysScroll(page: Page, screen: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${screen} is ${width}px wide`).toBeLessThanOrEqual(390);
}

test('every screen fits 390 px without scrolling sideways', async ({ page, problems }) => {
  await page.goto('/#/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectNoSidewaysScroll(page, 'sign-in');
  await page.goto('/#/sign-up');
  await expect(page.getByRole('heading', { name: 'Create an account' })).toBeVisible();
  await expectNoSidewaysScroll(page, 'sign-up');

  // A long email in the header, and a long unbroken title in the list.
  const account = await registered({
    email: `someone-with-a-rather-long-name-${Date.now()}@example.com`,
    password: 'correct horse battery staple',
  });
  await signIn(page, account);
  const long = `Renew-${'x'.repeat(60)}`;
  await addTask(page, long, { description: 'A description long enough to wrap across lines.' });
  await expectNoSidewaysScroll(page, 'tasks');
  // The search button, which was pushed out of the page, is on screen and works.
  const search = page.getByRole('button', { name: 'Search' });
  const box = await search.boundingBox();
  expect((box?.x ?? Infinity) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  await page.getByRole('searchbox', { name: 'Search tasks' }).fill('Renew');
  await search.click();
  await expect(taskLink(page, long)).toBeVisible();
  await screenshot(page, 'tasks-narrow');

  await taskLink(page, long).click();
  await expect(page.getByRole('heading', { name: 'Edit task' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete task' }).click();
  await expect(page.getByRole('button', { name: 'Yes, delete' })).toBeVisible();
  await expectNoSidewaysScroll(page, 'task (asking to delete)');

  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByLabel('Name').fill('A project with a name of some length');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('list', { name: 'Projects' })).toContainText('A project');
  await page.getByRole('button', { name: /^Delete A project/ }).click();
  await expectNoSidewaysScroll(page, 'projects (asking to delete)');

  await page.getByRole('link', { name: 'Notes' }).click();
  await page.getByLabel('Note', { exact: true }).fill('y'.repeat(120));
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('list', { name: 'Notes' })).toBeVisible();
  await expectNoSidewaysScroll(page, 'notes');

  expect(problems.failedRequests).toEqual([]);
});
