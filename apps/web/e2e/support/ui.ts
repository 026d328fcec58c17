import { expect, type Page } from '@playwright/test';
import type { Account } from './accounts';

// What a person does in the app, step by step, by what they see (labels, roles, text).

export async function signIn(page: Page, { email, password }: Account): Promise<void> {
  await page.goto('/#/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
}

export async function addTask(
  page: Page,
  title: string,
  { description, project }: { description?: string; project?: string } = {},
): Promise<void> {
  const form = page.getByRole('form', { name: 'New task' });
  await form.getByLabel('Title').fill(title);
  if (description !== undefined) await form.getByLabel('Description').fill(description);
  if (project !== undefined) await form.getByLabel('Project').selectOption({ label: project });
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(taskLink(page, title)).toBeVisible();
}

/** The link to a task in the list, by its title. */
export function taskLink(page: Page, title: string) {
  return page.getByRole('list', { name: 'Tasks' }).getByRole('link', { name: title, exact: true });
}

/** What the live region last told screen-reader users. */
export function announcement(page: Page) {
  return page.getByTestId('announcer');
}
