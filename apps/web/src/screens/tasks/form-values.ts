import type { Task, TaskPatch } from '@enclave/client';
import { textOf } from '../../components/form-data';

// What the task forms read from their fields, in the API's terms.

/** The project id a `<select>` of ProjectOptions holds: null for none. */
export function projectIdOf(value: FormDataEntryValue | null): number | null {
  return value === null || value === '' ? null : Number(value);
}

/** An optional text field: left empty, it is null (no description), not "". */
export function textOrNull(value: FormDataEntryValue | null): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** What the edit form holds that differs from `task`: only those fields are sent. */
export function changesOf(task: Task, data: FormData): TaskPatch {
  const edited: Required<TaskPatch> = {
    title: textOf(data, 'title'),
    description: textOrNull(data.get('description')),
    project_id: projectIdOf(data.get('project_id')),
    complete: data.get('complete') === 'on',
  };
  const changed = Object.entries(edited).filter(
    ([field, value]) => task[field as keyof TaskPatch] !== value,
  );
  return Object.fromEntries(changed);
}
