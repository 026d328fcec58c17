import { createHash } from 'node:crypto';

// Named prepared statements let PostgreSQL parse and plan a query once per connection
// instead of on every execution (the API's hot queries are a handful of fixed texts).
// Only data statements with parameters are named: DDL, transaction control and settings are
// rare, and some cannot be prepared.
const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

/** How many distinct texts get a name; beyond it a text runs unnamed, as before. */
const MAX_NAMED = 1000;

/**
 * The name of a statement text, the same in every process (a hash of the text), so the name
 * cannot collide with another text's; undefined for a text that is not worth naming.
 */
export function statementNamer(): (sql: string, parameterCount: number) => string | undefined {
  const names = new Map<string, string>();
  return (sql, parameterCount) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (parameterCount === 0 || names.size >= MAX_NAMED || !NAMEABLE.test(sql)) return undefined;
    const name = `enclave_${createHash('sha256').update(sql).digest('base64url').slice(0, 24)}`;
    names.set(sql, name);
    return name;
  };
}

/**
 * PostgreSQL refuses to run a prepared statement whose result columns changed type since it
 * was prepared (a migration altered the table): it must be prepared again.
 */
export function isStalePlan(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '0A000' &&
    String((error as { message?: unknown }).message).includes('cached plan must not change')
  );
}
