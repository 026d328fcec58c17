import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { testServices, unavailableTests } from './apps/server/test/test-services.js';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig(async () => {
  const services = await testServices(process.env);
  const leftOut = unavailableTests(services);
  for (const { glob, sources, reason } of leftOut) {
    process.stdout.write(
      `[tests] left out: ${glob} (${reason}); not in coverage: ${sources.join(', ')}\n`,
    );
  }
  return {
    resolve: {
      // Tests run against the workspace packages' TypeScript sources, not their builds.
      alias: {
        '@enclave/contract': source('./packages/contract/src/index.ts'),
        '@enclave/client': source('./packages/client/src/index.ts'),
      },
    },
    test: {
      include: [
        'packages/*/src/**/*.test.ts',
        'apps/*/src/**/*.test.ts',
        'apps/*/test/**/*.test.ts',
      ],
      // apps/web/e2e holds Playwright's specs (npm run test:e2e), not vitest's.
      exclude: ['**/node_modules/**', 'apps/web/e2e/**', ...leftOut.map(({ glob }) => glob)],
      globalSetup: ['apps/server/test/global-setup.ts'],
      setupFiles: ['apps/server/test/owner-scope.setup.ts'],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      coverage: {
        provider: 'v8' as const,
        include: ['packages/contract/src/**', 'packages/client/src/**', 'apps/server/src/**'],
        // Entry points only wire modules together and are exercised by `npm start` itself.
        exclude: [
          '**/*.test.ts',
          'apps/server/src/main.ts',
          'apps/server/src/bin/**',
          ...leftOut.flatMap(({ sources }) => sources),
        ],
        reporter: ['text-summary', 'text'],
        thresholds: {
          'packages/contract/src/**': { lines: 90 },
          'apps/server/src/**': { lines: 90 },
        },
      },
    },
  };
});
