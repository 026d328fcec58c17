import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';

// The API that `npm run dev:web` talks to: a server already running (npm start).
const api = 'http://127.0.0.1:3000';

const toApi: ProxyOptions = {
  target: api,
  // No API running yet: answer as the API does when it is unavailable, so the app shows its
  // banner and retries until `npm start` is up (Vite's own answer would be a bare 500).
  configure: (proxy) => {
    proxy.on('error', (_error, _request, response) => {
      if (!('writeHead' in response) || response.headersSent) return;
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end(
        JSON.stringify({
          error: 'Service Unavailable',
          message: `No API answers at ${api}: start it with npm start`,
          status_code: 503,
        }),
      );
    });
  },
};

export default defineConfig(({ command }) => {
  // A build is for production whatever NODE_ENV its caller has: vitest sets "test" and then
  // builds the workspace (apps/server/test/global-setup.ts), which would otherwise ship React's
  // development build, four times the size. Read by Vite after it loads this file.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    plugins: [react()],
    resolve: {
      // The workspace packages' TypeScript sources, as the other packages' typechecks use
      // them: no build of the client is needed first, and an edit to it reloads the app.
      conditions: ['@enclave/source', ...defaultClientConditions],
    },
    server: {
      host: '127.0.0.1',
      port: 5173,
      strictPort: true,
      // Same origin for the browser, so no CORS is needed in development either.
      proxy: { '/api': toApi, '/auth': toApi, '/docs': toApi, '/openapi.json': toApi },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      // Browsers of the last few years; the app uses nothing newer.
      target: 'es2022',
      sourcemap: true,
    },
  };
});
