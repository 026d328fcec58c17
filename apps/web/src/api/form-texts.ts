import { notes, projects, tasks } from '@enclave/contract';
import { NEW_PASSWORD_RULE, lengthRule, type FieldTexts } from './field-messages';

// How each form speaks of its fields when the API refuses them (see field-messages.ts).

const task: FieldTexts = {
  title: { label: 'Title', rule: lengthRule('Title', tasks.fieldSpecs.title) },
  description: {
    label: 'Description',
    rule: lengthRule('Description', tasks.fieldSpecs.description),
  },
  project_id: { label: 'Project' },
  complete: { label: 'Done' },
};

const project: FieldTexts = {
  name: {
    label: 'Name',
    rule: lengthRule('Name', projects.fieldSpecs.name),
    taken: 'You already have a project with this name.',
  },
  description: {
    label: 'Description',
    rule: lengthRule('Description', projects.fieldSpecs.description),
  },
};

const note: FieldTexts = {
  body: { label: 'Note', rule: lengthRule('Note', notes.fieldSpecs.body) },
  pinned: { label: 'Pin' },
};

const account: FieldTexts = {
  email: {
    label: 'Email',
    taken: 'An account with this email already exists. Sign in instead.',
  },
  password: { label: 'Password', rule: NEW_PASSWORD_RULE },
  current_password: { label: 'Current password' },
  new_password: { label: 'New password', rule: NEW_PASSWORD_RULE },
};

export const FORM_TEXTS = { task, project, note, account } as const;
