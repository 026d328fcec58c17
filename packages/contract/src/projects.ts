import type { z } from 'zod';
import { boolean, text } from './fields.js';
import { defineResource } from './resource.js';

/** Projects group tasks; a name is unique among one owner's projects (409 otherwise). */
export const projects = defineResource({
  name: 'projects',
  singular: 'project',
  fields: {
    name: text(1, 100),
    description: text(0, 2000).nullable(),
    archived: boolean(),
  },
  defaults: { description: null, archived: false },
  unique: ['name'],
  list: {
    sortable: ['name'],
    filterable: ['archived'],
    searchable: ['name', 'description'],
  },
  example: { name: 'Quarterly report', description: 'Everything due by March', archived: false },
});

export type Project = z.infer<typeof projects.schemas.response>;
export type ProjectCreate = z.input<typeof projects.schemas.create>;
export type ProjectReplace = z.input<typeof projects.schemas.replace>;
export type ProjectPatch = z.input<typeof projects.schemas.patch>;
export type ProjectListQuery = z.input<typeof projects.schemas.listQuery>;
