import { describe, expect, it } from 'vitest';
import { EntityTagListSchema, MAX_ENTITY_TAGS, parseEntityTags } from './conditions.js';

const tags = (count: number, weak = false) =>
  Array.from({ length: count }, (_, i) => `${weak ? 'W/' : ''}"${i + 1}"`).join(', ');

const problems = (value: string) => {
  const parsed = EntityTagListSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe('EntityTagListSchema', () => {
  it('takes *, one tag, or a list of up to 16, weak ones included', () => {
    expect(MAX_ENTITY_TAGS).toBe(16);
    for (const value of ['*', ' * ', '"3"', 'W/"3"', '"1","2"', tags(16), tags(16, true)]) {
      expect(problems(value), value).toEqual([]);
    }
    expect((parseEntityTags(tags(16)) as { tags: unknown[] }).tags).toHaveLength(16);
  });

  it('refuses 17 tags or more, with a message that says so', () => {
    for (const value of [tags(17), tags(17, true), tags(100)]) {
      expect(problems(value)).toEqual(['must list at most 16 entity tags']);
    }
  });

  it('refuses what is not a list of tags with the syntax message alone', () => {
    for (const value of ['3', '"3', 'W/3', '"1",', '*, "1"', `"${'x'.repeat(1030)}"`]) {
      expect(problems(value), value).toEqual([
        'must be * or entity tags such as "3" (quotes included), at most 1024 characters',
      ]);
    }
  });
});
