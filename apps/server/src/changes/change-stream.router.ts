import type { Change } from '@enclave/contract';
import { errorBody, invalidRequest } from '@enclave/contract';
import type { Request, RequestHandler, Response } from 'express';
import { authenticatedUser } from '../http/auth.js';
import { sendTooManyRequests } from '../http/rate-limit/rate-limit-middleware.js';
import type { Logger } from '../logger.js';
import type { ChangeCursors } from './changes-cursor.js';
import type { ChangesRepository } from './changes.repository.js';
import { changeBody, GONE_MESSAGE } from './change-body.js';
import type { ChangeHub, StreamSubscriber } from './change-hub.js';

export interface ChangeStreamOptions {
  repository: ChangesRepository;
  cursors: ChangeCursors;
  hub: ChangeHub;
  logger: Logger;
  /** The longest the stream stays silent: a comment line keeps proxies from closing it. */
  heartbeatMs: number;
  /** The `retry:` hint sent with `event: end`, in milliseconds. */
  retryMs: number;
  /**
   * The clock tolerance tokens are checked with (JWT_CLOCK_TOLERANCE_SECONDS): a stream ends
   * when its token would be refused, not before, or a reconnection with the same token would
   * be let in only to be ended again at once, over and over.
   */
  tokenGraceSeconds?: number;
}

/** Changes a stream reads per statement while catching up. */
const BATCH = 200;
// setTimeout's limit; a token living longer is checked again when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Seconds since the epoch at which the (already verified) bearer token expires, if it says. */
function tokenExpiry(req: Request): number | undefined {
  const token = /^Bearer +([^\s]+)/i.exec(req.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GET /api/:user_id/changes/stream (Server-Sent Events), mounted after the token guard and the
 * rate limit but outside the per-user share of the database (a stream holds no turn: it uses
 * the database only for a moment on each wake-up).
 */
export function changeStream(options: ChangeStreamOptions): RequestHandler {
  const { repository, cursors, hub, logger } = options;
  return (req, res, next) => {
    const owner = authenticatedUser(res);
    const undeclared = Object.keys(req.query).filter((name) => name !== 'after');
    if (undeclared.length > 0) {
      const details = undeclared.map((name) => ({
        path: `query.${name}`,
        message: 'is not a parameter of this route',
      }));
      res.status(400).json(invalidRequest(details));
      return;
    }
    // A browser's EventSource resends the last id it saw on reconnecting, with the URL (and
    // so `after`) it first opened: the header is the newer of the two.
    const given = req.get('last-event-id') ?? (req.query.after as string | undefined);
    const start =
      given === undefined
        ? repository.currentPosition(owner)
        : Promise.resolve(cursors.decode(owner, given));
    start
      .then((position) => {
        if (position === undefined) {
          const path =
            req.get('last-event-id') === undefined ? 'query.after' : 'header.last-event-id';
          res
            .status(400)
            .json(
              invalidRequest([
                { path, message: 'is not a change cursor of this user; start again without one' },
              ]),
            );
          return;
        }
        return open(req, res, owner, position);
      })
      .catch(next);
  };

  async function open(req: Request, res: Response, owner: string, after: number) {
    let position = after;
    let ended = false;
    let reading = false;
    let again = false;
    const timers: NodeJS.Timeout[] = [];

    const write = async (text: string) => {
      if (ended || res.writableEnded) return;
      if (!res.write(text)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    };
    const cleanup = () => {
      ended = true;
      for (const timer of timers) clearTimeout(timer);
      hub.close(owner, subscriber);
    };
    const subscriber: StreamSubscriber = {
      wake(upTo) {
        if (upTo === undefined || upTo > position) void pump();
      },
      end(reason) {
        if (ended) return;
        const text = `retry: ${options.retryMs}\nevent: end\ndata: ${JSON.stringify({ reason })}\n\n`;
        cleanup();
        res.end(text);
      },
    };

    // One read at a time; wake-ups during a read make one more read after it.
    async function pump(): Promise<void> {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            if (ended) return;
            const page = await repository.page(owner, position, BATCH);
            if (page.kind === 'gone') return subscriber.end('cursor_expired');
            for (const change of page.changes) {
              const body: Change = changeBody(change, cursors.encode(owner, change.position));
              await write(`id: ${body.cursor}\nevent: change\ndata: ${JSON.stringify(body)}\n\n`);
            }
            position = page.position;
            if (!page.hasMore) break;
          }
        } while (again);
      } catch (error) {
        // The database away for a moment: the next wake-up (or the safety poll) reads again
        // from the same position, so nothing is lost or sent twice.
        logger.warn({ err: error }, 'change stream: reading the change log failed; will retry');
      } finally {
        reading = false;
      }
    }

    if (!hub.open(owner, subscriber)) {
      sendTooManyRequests(res, 5, 'Too many open change streams for this user');
      return;
    }
    // The first read answers before the stream starts: a cursor the sweep has passed is a
    // plain 410, which a client can tell from a dropped connection.
    let first;
    try {
      first = await repository.page(owner, position, 0);
    } catch (error) {
      hub.close(owner, subscriber);
      throw error;
    }
    if (first.kind === 'gone') {
      hub.close(owner, subscriber);
      res.status(410).json(errorBody(410, GONE_MESSAGE));
      return;
    }
    res.once('close', cleanup);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx and the like buffer a response unless told not to.
    res.setHeader('X-Accel-Buffering', 'no');
    // The connection goes with the stream (a client reconnects on a new one), so an ended
    // stream leaves no kept-alive socket to hold a draining server.
    res.setHeader('Connection', 'close');
    res.socket?.setNoDelay(true);
    res.flushHeaders();
    // The position the stream follows from, as an id with no data: a client started without
    // a cursor learns where it stands before any change comes (so a reconnect does not skip
    // what was written meanwhile, and it knows which of its reads may predate the stream).
    // An EventSource takes it as its last event id without firing an event.
    await write(`: stream of ${owner}'s changes\nid: ${cursors.encode(owner, position)}\n\n`);

    timers.push(setInterval(() => void write(': keep-alive\n\n'), options.heartbeatMs));
    const expiry = tokenExpiry(req);
    if (expiry !== undefined) {
      const expire = () => {
        const left = (expiry + (options.tokenGraceSeconds ?? 0)) * 1000 - Date.now();
        if (left <= 0) subscriber.end('token_expired');
        else timers[1] = setTimeout(expire, Math.min(left, MAX_TIMER_MS));
      };
      expire();
    }
    await pump();
  }
}
