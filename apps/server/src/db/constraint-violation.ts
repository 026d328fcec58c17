/** Which kind of rule a write broke; the SQLSTATE codes PostgreSQL (and PGlite) report. */
const KINDS = { '23505': 'unique', '23503': 'foreign key' } as const;

export interface ConstraintViolation {
  kind: (typeof KINDS)[keyof typeof KINDS];
  /** The constraint's name, as the migration named it. */
  constraint: string;
}

/**
 * The unique or foreign-key constraint a failed write broke, or undefined for any other
 * error. Both drivers report the SQLSTATE as `code` and the constraint's name as `constraint`.
 */
export function constraintViolation(error: unknown): ConstraintViolation | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string' || typeof constraint !== 'string') return undefined;
  const kind = Object.hasOwn(KINDS, code) ? KINDS[code as keyof typeof KINDS] : undefined;
  return kind === undefined ? undefined : { kind, constraint };
}
