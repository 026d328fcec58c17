import { z } from 'zod';
import { text } from './fields.js';
import { defineResource } from './resource.js';

/** Tasks, exactly as the spec's Task: a title, an optional description, a completion flag. */
export const tasks = defineResource({
  name: 'tasks',
  singular: 'task',
  fields: {
    title: text(1, 200),
    description: text(0, 1000).nullable(),
    complete: z.boolean(),
  },
  defaults: { description: null, complete: false },
  conflicts: false,
  example: {
    title: 'Write the quarterly report',
    description: 'Figures from finance',
    complete: false,
  },
});

export type Task = z.infer<typeof tasks.schemas.response>;
export type TaskCreate = z.input<typeof tasks.schemas.create>;
export type TaskReplace = z.infer<typeof tasks.schemas.replace>;
export type TaskPatch = z.infer<typeof tasks.schemas.patch>;
