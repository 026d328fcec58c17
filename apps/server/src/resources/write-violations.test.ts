import { resources } from '@enclave/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.js';
import type { Db } from '../db/schema.js';
import { answerViolation, expectedViolations } from './write-violations.js';

describe('the constraints a resource declares', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.destroy());

  // The names are derived, not listed: a migration that names a constraint otherwise would
  // turn a declared 409 or 400 into a 500. This holds every registered resource to it.
  it.each(Object.values(resources).map((resource) => [resource.name, resource] as const))(
    '%s: every derived constraint exists in the database, of the right kind',
    async (name, resource) => {
      const expected = [...expectedViolations(resource)].map(([constraint, violation]) => ({
        constraint,
        kind: violation.status === 409 ? 'u' : 'f',
      }));
      const { rows } = await sql<{ constraint: string; kind: string }>`
        select conname as constraint, contype as kind from pg_constraint
        where conrelid = ${name}::regclass and contype in ('u', 'f')`.execute(db);
      for (const want of expected) expect(rows).toContainEqual(want);
    },
  );

  it('derives the names PostgreSQL gives by default, one per declared rule', () => {
    expect([...expectedViolations(resources.projects).keys()]).toEqual([
      'projects_user_id_name_key',
    ]);
    expect([...expectedViolations(resources.tasks).keys()]).toEqual([
      'tasks_user_id_project_id_fkey',
    ]);
    expect(expectedViolations(resources.notes).size).toBe(0);
  });

  it('answers only the violations it expects; anything else stays an error', () => {
    const violations = expectedViolations(resources.projects);
    const duplicate = { code: '23505', constraint: 'projects_user_id_name_key' };
    expect(answerViolation(duplicate, violations)).toEqual({
      status: 409,
      body: {
        error: 'Conflict',
        message: 'Conflict: body.name is already the name of another of your projects',
        status_code: 409,
        details: [
          { path: 'body.name', message: 'is already the name of another of your projects' },
        ],
      },
    });
    for (const other of [
      { code: '23505', constraint: 'some_other_key' },
      { code: '23514', constraint: 'projects_user_id_name_key' },
      { code: '23505' },
      new Error('boom'),
      null,
      'projects_user_id_name_key',
    ]) {
      expect(answerViolation(other, violations)).toBeUndefined();
    }
  });
});
