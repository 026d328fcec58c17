import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import { baseUrl } from './environment';

/** What went wrong in a page, as a person watching the console and the network would see. */
export interface PageProblems {
  /** Uncaught exceptions. */
  pageErrors: string[];
  /** console.error lines, except Chromium's own line for an HTTP error (failedRequests). */
  consoleErrors: string[];
  /** Every answer of 400 or more to an API call, as `METHOD /api/:user/tasks/:id 412`. */
  failedRequests: string[];
  /** Requests that got no answer (aborted ones, which the app cancels itself, excepted). */
  unanswered: string[];
}

/** The API path with the ids taken out, so a test can name the requests it expects. */
export function pathPattern(url: string): string {
  const { pathname } = new URL(url);
  return pathname.replace(/^\/api\/[^/]+/, '/api/:user').replace(/\/\d+(?=\/|$)/g, '/:id');
}

/** Starts recording `page`'s problems; every page a test opens should be watched. */
export function watch(page: Page): PageProblems {
  const problems: PageProblems = {
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [],
    unanswered: [],
  };
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (message.text().startsWith('Failed to load resource: the server responded')) return;
    problems.consoleErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const request = response.request();
    problems.failedRequests.push(
      `${request.method()} ${pathPattern(response.url())} ${response.status()}`,
    );
  });
  page.on('requestfailed', (request) => {
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.unanswered.push(`${request.method()} ${pathPattern(request.url())}`);
  });
  return problems;
}

/** Checks that a page had no uncaught error, no console error and no request left unanswered. */
export function expectNoPageErrors(problems: PageProblems): void {
  expect(problems.pageErrors, 'uncaught errors').toEqual([]);
  expect(problems.consoleErrors, 'console errors').toEqual([]);
  expect(problems.unanswered, 'requests without an answer').toEqual([]);
}

const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Saves the viewport (or the whole page) as e2e/screenshots/<name>.png, kept in git. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // No blinking caret: each run's picture differs only where the data does.
  await page.screenshot({
    path: `${SCREENSHOTS}${name}.png`,
    caret: 'hide',
    animations: 'disabled',
    fullPage,
  });
}

export const test = base.extend<{ problems: PageProblems }>({
  // The server global-setup.ts started, on a port chosen at run time.
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's needs from this pattern.
  baseURL: async ({}, use) => {
    await use(baseUrl());
  },
  // The default page's problems, checked after every test.
  problems: async ({ page }, use) => {
    const problems = watch(page);
    await use(problems);
    expectNoPageErrors(problems);
  },
});

export { expect };
