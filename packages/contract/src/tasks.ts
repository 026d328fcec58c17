import type { z } from 'zod';
import { boolean, reference, text } from './fields.js';
import { defineResource } from './resource.js';

/** Tasks: the spec's Task, optionally filed under one of the owner's projects. */
export const tasks = defineResource({
  name: 'tasks',
  singular: 'task',
  fields: {
    title: text(1, 200),
    description: text(0, 1000).nullable(),
    complete: boolean(),
    project_id: reference('projects').nullable(),
  },
  defaults: { description: null, complete: false, project_id: null },
  // Tasks came before projects: a client that knows no project_id may still PUT a task.
  optionalOnReplace: ['project_id'],
  list: {
    sortable: ['title'],
    filterable: ['complete', 'project_id'],
    searchable: ['title', 'description'],
  },
  example: {
    title: 'Write the quarterly report',
    description: 'Figures from finance',
    complete: false,
    project_id: 7,
  },
});

export type Task = z.infer<typeof tasks.schemas.response>;
export type TaskCreate = z.input<typeof tasks.schemas.create>;
export type TaskReplace = z.input<typeof tasks.schemas.replace>;
export type TaskPatch = z.input<typeof tasks.schemas.patch>;
export type TaskListQuery = z.input<typeof tasks.schemas.listQuery>;
