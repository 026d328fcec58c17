import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorBodySchema } from './errors.js';
import type { RouteMetadata } from './resource.js';

const c = initContract();

/** What both probes answer while all is well. */
export const HealthSchema = z.object({ status: z.literal('ok') });
export type Health = z.infer<typeof HealthSchema>;

const metadata = (statuses: Record<number, string>, errorMessages: Record<number, string> = {}) =>
  ({
    resource: 'health',
    responseExample: { status: 'ok' },
    public: true,
    statuses,
    errorMessages,
  }) satisfies RouteMetadata;

/**
 * Probes for load balancers and orchestrators: no token, no body to send, cheap to call often.
 * Liveness says the process should be left running; readiness says it should get traffic.
 */
export const healthRoutes = c.router(
  {
    live: {
      method: 'GET',
      path: '/livez',
      summary: 'Liveness: the process is running',
      description:
        'Touches nothing outside the process, so a database outage never makes an orchestrator ' +
        'restart a server that would recover by itself.',
      responses: { 200: HealthSchema },
      metadata: metadata({ 200: 'The process is alive' }),
    },
    ready: {
      method: 'GET',
      path: '/readyz',
      summary: 'Readiness: the server can serve requests now',
      description:
        'Ready when the database answers a trivial query within one second and the server is ' +
        'not shutting down. Answers 503 while starting (database not yet reached or migrated), ' +
        'during a database outage, and from the moment a shutdown begins.',
      responses: { 200: HealthSchema, 503: ErrorBodySchema },
      metadata: metadata(
        {
          200: 'Ready for traffic',
          503: 'Not ready: starting, database unavailable, or shutting down (`Retry-After`)',
        },
        { 503: 'Not ready: the database is not answering' },
      ),
    },
  },
  { strictStatusCodes: true },
);
