// The one list of resources. A resource is its declaration (a file beside this one), its
// migration, and its two lines here; the contract's routes, the server's tables and routers,
// OpenAPI and the behaviour test suite are all derived from this list.
// `npm run new:resource -- <name>` adds the lines above each `new:resource` marker.
import { notes } from './notes.js';
import { projects } from './projects.js';
import { tasks } from './tasks.js';
// new:resource imports here

/** Every resource the API serves, keyed by its name (URL segment, contract key, table). */
export const resources = {
  tasks,
  projects,
  notes,
  // new:resource declares here
} as const;

export type Resources = typeof resources;
export type ResourceName = keyof Resources;

export * from './notes.js';
export * from './projects.js';
export * from './tasks.js';
// new:resource exports here
