import type { z } from 'zod';
import { boolean, text } from './fields.js';
import { defineResource } from './resource.js';

/** Notes: free text with a pin, related to nothing else. */
export const notes = defineResource({
  name: 'notes',
  singular: 'note',
  fields: {
    body: text(1, 10_000),
    pinned: boolean(),
  },
  defaults: { pinned: false },
  list: {
    sortable: [],
    filterable: ['pinned'],
    searchable: ['body'],
  },
  example: { body: 'Call the printer about the invoice', pinned: true },
});

export type Note = z.infer<typeof notes.schemas.response>;
export type NoteCreate = z.input<typeof notes.schemas.create>;
export type NoteReplace = z.input<typeof notes.schemas.replace>;
export type NotePatch = z.input<typeof notes.schemas.patch>;
export type NoteListQuery = z.input<typeof notes.schemas.listQuery>;
