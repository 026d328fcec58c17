import { initContract } from '@ts-rest/core';
import { accountMailRoutes } from './account-mail.js';
import { accountSecurityRoutes, userDataRoutes } from './account-security.js';
import { accountRoutes } from './accounts.js';
import { changeRoutes } from './changes.js';
import { healthRoutes } from './health.js';
import { resources, type Resources } from './registry.js';

const c = initContract();

/** The six routes of every registered resource, keyed as the registry keys it. */
export type ResourceRoutes = { [K in keyof Resources]: Resources[K]['routes'] };

function resourceRoutes(): ResourceRoutes {
  const entries = Object.entries(resources).map(([name, resource]) => [name, resource.routes]);
  // Object.fromEntries forgets the keys; the mapped type above restores what the loop built.
  return Object.fromEntries(entries) as ResourceRoutes;
}

/**
 * The whole API: the health probes under `health`, the built-in accounts under `auth` (their
 * URL segment), what they do by mail under `accountMail`, a user's data as a whole (export,
 * deletion) under `userData`, the change feed under `changes`, then every registered resource
 * with its six routes.
 */
export const contract = c.router({
  health: healthRoutes,
  auth: { ...accountRoutes, ...accountSecurityRoutes },
  accountMail: accountMailRoutes,
  userData: userDataRoutes,
  changes: changeRoutes,
  ...resourceRoutes(),
});

export type Contract = typeof contract;
