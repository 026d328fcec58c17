import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { serializeError, type Logger } from '../logger.js';

// A caller's own id is kept so a request can be followed across services, but only if it is
// short and plain: it is echoed in a header and written to every log line.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const HEALTH_PATHS = new Set(['/livez', '/readyz']);

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * One structured line per request plus whatever handlers log, all carrying `request_id`.
 * Headers and bodies are never serialised: the Authorization header is a credential.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: requestId,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
      // pino-http replaces the logger's serialisers on every request logger; keep the safe one.
      err: serializeError,
    },
    customLogLevel: (req, res, error) => {
      // Probes come every few seconds from every balancer; readiness failures are logged once
      // per cause where they arise (a database incident, a shutdown).
      if (HEALTH_PATHS.has(req.url ?? '')) return 'debug';
      // A 503 is the environment's state, reported once per incident where it is noticed; a
      // warning per refused request would bury that one line under thousands.
      if (res.statusCode === 503 && error === undefined) return 'info';
      if (error !== undefined || res.statusCode >= 500) return 'error';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
  });
}
