import { initContract } from '@ts-rest/core';
import { tasks } from './tasks.js';

const c = initContract();

/** The whole API: one key per resource, each with the six routes of the resource factory. */
export const contract = c.router({
  tasks: tasks.routes,
});

export type Contract = typeof contract;
