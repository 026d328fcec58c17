import type { Task } from '@enclave/client';
import { describe, expect, it } from 'vitest';
import { changesOf, projectIdOf, textOrNull } from './form-values';

const task: Task = {
  id: 1,
  user_id: 'u',
  title: 'Buy milk',
  description: null,
  complete: false,
  project_id: 4,
  version: 2,
  created_at: '2026-01-15T09:30:00.000Z',
  updated_at: '2026-01-15T09:30:00.000Z',
};

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
}

describe('task form values', () => {
  it('reads "no project" and empty text as null', () => {
    expect(projectIdOf('')).toBeNull();
    expect(projectIdOf(null)).toBeNull();
    expect(projectIdOf('12')).toBe(12);
    expect(textOrNull('')).toBeNull();
    expect(textOrNull(null)).toBeNull();
    expect(textOrNull(' x ')).toBe(' x ');
  });

  it('sends only the fields that changed (an unchanged form sends nothing)', () => {
    expect(changesOf(task, form({ title: 'Buy milk', description: '', project_id: '4' }))).toEqual(
      {},
    );
    expect(
      changesOf(
        task,
        form({ title: 'Buy oat milk', description: 'Two', project_id: '', complete: 'on' }),
      ),
    ).toEqual({ title: 'Buy oat milk', description: 'Two', project_id: null, complete: true });
  });
});
