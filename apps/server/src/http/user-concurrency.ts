import type { RequestHandler, Response } from 'express';
import { authenticatedUser } from './auth.js';
import { sendTooManyRequests } from './rate-limit/rate-limit-middleware.js';
import type { UserConcurrencyConfig } from './user-concurrency-config.js';

/** Seconds a refused client should wait: a turn frees as soon as one request finishes. */
const RETRY_AFTER_SECONDS = 1;

// A request whose client left keeps its turn until its handler has finished the work (the
// database does not stop because the client did), but never longer than this.
const ABANDONED_HOLD_MS = 60_000;

interface Turns {
  active: number;
  /** Each waiting request's start, first come first served. */
  waiting: (() => void)[];
}

/** Calls `done` once the handler has ended the response, whenever the client left. */
function whenWorkDone(res: Response, done: () => void): void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    done();
  };
  res.once('close', () => {
    if (res.writableEnded) {
      release();
      return;
    }
    // The client left before its answer: the work goes on until the handler ends it.
    const end = res.end.bind(res);
    res.end = ((...args: unknown[]) => {
      release();
      return Reflect.apply(end, res, args) as Response;
    }) as Response['end'];
    setTimeout(release, ABANDONED_HOLD_MS).unref();
  });
}

/**
 * A fair share of the database for each user: at most `concurrency` of a verified user's
 * requests are served at once (each holds at most one pooled connection, so one user's slow
 * searches cannot take the whole pool from everyone else), up to `queue` more wait their turn
 * for at most `waitMs`, and the rest are answered 429 with Retry-After. Mounted after the
 * `/api/:user_id` guard, whose user it reads; counted per process.
 */
export function userConcurrency(config: UserConcurrencyConfig): RequestHandler {
  const users = new Map<string, Turns>();
  const finish = (user: string, turns: Turns) => {
    const next = turns.waiting.shift();
    // The turn passes to the first waiting request, or is given back.
    if (next !== undefined) next();
    else if (--turns.active === 0) users.delete(user);
  };
  return (_req, res, next) => {
    const user = authenticatedUser(res);
    let turns = users.get(user);
    if (turns === undefined) {
      turns = { active: 0, waiting: [] };
      users.set(user, turns);
    }
    const held = turns;
    const start = () => {
      whenWorkDone(res, () => finish(user, held));
      next();
    };
    if (held.active < config.concurrency) {
      held.active += 1;
      start();
      return;
    }
    if (held.waiting.length >= config.queue) {
      sendTooManyRequests(res, RETRY_AFTER_SECONDS, 'Too many requests of this user at once');
      return;
    }
    const leave = () => {
      clearTimeout(timer);
      res.off('close', leave);
      const index = held.waiting.indexOf(turn);
      if (index !== -1) held.waiting.splice(index, 1);
    };
    const turn = () => {
      leave();
      start();
    };
    const timer = setTimeout(() => {
      leave();
      sendTooManyRequests(res, RETRY_AFTER_SECONDS, 'Too many requests of this user at once');
    }, config.waitMs);
    // A client that leaves while waiting gives up its place.
    res.once('close', leave);
    held.waiting.push(turn);
  };
}
