import { randomUUID } from 'node:crypto';
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { NextFunction } from 'express';
import pino from 'pino';
import type { Logger } from '../logger.js';

/** The levels a log line can have; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The level of the one line logged per request (errors and refusals log higher). */
export type RequestLogLevel = (typeof LOG_LEVELS)[number];

declare module 'node:http' {
  interface IncomingMessage {
    /** A logger whose every line carries this request's `request_id`. */
    readonly log: Logger;
  }
}

// A caller's own id is kept so a request can be followed across services, but only if it is
// short and plain: it is echoed in a header and written to every log line.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const HEALTH_PATHS = new Set(['/livez', '/readyz']);

const requestLogger = Symbol('requestLogger');
const requestIdOf = Symbol('requestId');
const childLogger = Symbol('childLogger');
type LoggedRequest = IncomingMessage & {
  [requestLogger]?: Logger;
  [requestIdOf]?: string;
  [childLogger]?: Logger;
};

// Most requests never log anything but their completion line, so the per-request child
// logger is made only when a handler asks for `req.log`: a getter on the prototype, defined
// once, reading what the middleware left on the request.
Object.defineProperty(IncomingMessage.prototype, 'log', {
  configurable: true,
  get(this: LoggedRequest): Logger | undefined {
    const logger = this[requestLogger];
    if (logger === undefined) return undefined;
    this[childLogger] ??= logger.child({ request_id: this[requestIdOf] });
    return this[childLogger];
  },
});

function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming)
    ? incoming
    : randomUUID();
}

/**
 * The level of a request's line: probes at debug (every balancer sends them every few
 * seconds); a 503 at info (the environment's state, logged once per incident where noticed);
 * 5xx at error, 4xx at warn; the rest at `successLevel`.
 */
function levelOf(url: string, status: number, successLevel: RequestLogLevel): RequestLogLevel {
  if (HEALTH_PATHS.has(url)) return 'debug';
  if (status === 503) return 'info';
  if (status >= 500) return 'error';
  return status >= 400 ? 'warn' : successLevel;
}

type Level = Exclude<RequestLogLevel, 'silent'>;

// What pino keeps on a logger under `pino.symbols`, as far as a line's prefix needs it.
const { symbols } = pino;
interface PinoInternals {
  /** `{"level":30`, by level number. */
  [symbols.lsCacheSym]: Record<number, string>;
  /** `,"time":…`, as the logger's timestamp option writes it. */
  [symbols.timeSym]: () => string;
  /** `,"service":"enclave"`: the logger's bindings. */
  [symbols.chindingsSym]: string;
  [symbols.streamSym]: pino.DestinationStream & { [symbols.needsMetadataGsym]?: boolean };
}

/**
 * Writes a request's line exactly as `logger[level](fields, message)` would, with pino's own
 * prefix (level, time, the logger's bindings), but none of the work pino does for an object it
 * knows nothing about (serialisers, redaction, a generic stringify): these fields are known,
 * plain and never a secret. `pino.symbols` is pino's door for such integrations. A destination
 * that wants each line's metadata (pino.multistream) gets the line from pino itself.
 */
export function requestLineWriter(logger: Logger) {
  const internals = logger as Logger & PinoInternals;
  return (
    level: Level,
    message: string,
    id: string,
    method: string,
    url: string,
    status: number,
    ms: number,
  ) => {
    const stream = internals[symbols.streamSym];
    if (stream[symbols.needsMetadataGsym] === true) {
      logger[level](
        { request_id: id, req: { method, url }, res: { status_code: status }, responseTime: ms },
        message,
      );
      return;
    }
    const prefix =
      internals[symbols.lsCacheSym][logger.levels.values[level]!] +
      internals[symbols.timeSym]() +
      internals[symbols.chindingsSym];
    stream.write(
      `${prefix},"request_id":${JSON.stringify(id)},"req":{"method":${JSON.stringify(method)},` +
        `"url":${JSON.stringify(url)}},"res":{"status_code":${status}},"responseTime":${ms},` +
        `"msg":${JSON.stringify(message)}}\n`,
    );
  };
}

/**
 * The URL as logged: each query parameter's name, its value left out (`?q=…&limit=…`). A
 * search's text is the user's own writing, and a log is read by more people than the data.
 */
export function withoutQueryValues(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const names = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1 ? pair : `${pair.slice(0, equals)}=…`;
    });
  return `${url.slice(0, start)}?${names.join('&')}`;
}

/**
 * One structured line per request (request id, method, path, status, time in ms), written
 * when the response is done, plus whatever handlers log, all carrying `request_id`. Headers
 * and bodies are never logged: the Authorization header is a credential. Query values are
 * left out unless `queryValues` (LOG_QUERY_VALUES=on, for debugging).
 */
export function requestLogging(
  logger: Logger,
  successLevel: RequestLogLevel = 'info',
  queryValues = false,
) {
  const writeLine = requestLineWriter(logger);
  return (req: IncomingMessage, res: ServerResponse, next: NextFunction): void => {
    const started = performance.now();
    const id = requestId(req);
    const logged = req as LoggedRequest;
    logged[requestLogger] = logger;
    logged[requestIdOf] = id;
    res.setHeader('X-Request-Id', id);
    const method = req.method ?? '';
    // Express rewrites req.url inside mounted routers; the path as it arrived is what to log.
    const url = queryValues ? (req.url ?? '') : withoutQueryValues(req.url ?? '');
    res.once('close', () => {
      const status = res.statusCode;
      const finished = res.writableFinished;
      // An event stream has no end of its own: the client closing it (a tab closed, a
      // reconnection) is how it normally ends, not a request cut short.
      const streamed = /^text\/event-stream/.test(String(res.getHeader('content-type') ?? ''));
      const level =
        finished || streamed ? levelOf(url.split('?', 1)[0]!, status, successLevel) : 'warn';
      if (level === 'silent' || !logger.isLevelEnabled(level)) return;
      const ms = Math.round(performance.now() - started);
      const message = finished
        ? 'request completed'
        : streamed
          ? 'stream closed by the client'
          : 'request aborted';
      writeLine(level, message, id, method, url, status, ms);
    });
    next();
  };
}
