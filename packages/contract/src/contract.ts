import { initContract } from '@ts-rest/core';
import { authRoutes } from './auth.js';
import { healthRoutes } from './health.js';
import { notes } from './notes.js';
import { projects } from './projects.js';
import { tasks } from './tasks.js';
// new:resource imports here

const c = initContract();

/** Every resource the API serves, each declared once with the resource factory. */
export const resources = {
  tasks,
  projects,
  notes,
  // new:resource declares here
} as const;

/**
 * The whole API: the health probes under `health`, the built-in accounts under `auth`, then
 * one key per resource, each with the six routes of the resource factory.
 */
export const contract = c.router({
  health: healthRoutes,
  auth: authRoutes,
  tasks: tasks.routes,
  projects: projects.routes,
  notes: notes.routes,
  // new:resource routes here
});

export type Contract = typeof contract;
