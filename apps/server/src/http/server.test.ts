import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { DEFAULT_HTTP_TIMEOUTS } from './http-timeouts.js';
import { createHttpServer } from './server.js';

describe('the HTTP server around the app', () => {
  const servers: ReturnType<typeof createHttpServer>[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
  });

  // Node makes each request and response with the prototypes Express gives them, so Express's
  // own swap finds nothing to change; a second server on the same app must do as well.
  it('gives Express requests and responses that already have its prototypes', async () => {
    const app = express();
    app.get('/', (req, res) => {
      res.json({ request: req.app === app, response: res.app === app, json: typeof res.json });
    });
    const options = { ...DEFAULT_HTTP_TIMEOUTS, bodyLimit: '100kb' };
    const born: boolean[] = [];
    for (let i = 0; i < 2; i += 1) {
      const server = createHttpServer(app, createLogger('silent'), options);
      servers.push(server);
      // Before Express sees them.
      server.prependListener('request', (req, res) => {
        born.push(
          Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response,
        );
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const answer = await fetch(`http://127.0.0.1:${port}/`);
      expect(await answer.json()).toEqual({ request: true, response: true, json: 'function' });
    }
    expect(born).toEqual([true, true]);
  });
});
