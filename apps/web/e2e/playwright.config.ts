import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, IN_CI, RUNNING_AS_ROOT } from './support/environment';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  // Two cores: two browsers at once. The one slow test (a token left to expire) waits while
  // the others run.
  workers: 2,
  fullyParallel: true,
  forbidOnly: IN_CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  // Traces and failure screenshots go outside the source tree.
  outputDir: '../node_modules/.cache/e2e-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: RUNNING_AS_ROOT ? ['--no-sandbox'] : [],
    },
    viewport: { width: 1000, height: 760 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
