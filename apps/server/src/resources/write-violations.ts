import { errorBody, type ErrorBody } from '@enclave/contract';

/** How a broken database rule on a write answers: the field it concerns, and why. */
export interface WriteViolation {
  status: 400 | 409;
  field: string;
  message: string;
}

/** Constraint name → answer, for the rules a resource's writes are expected to break. */
export type WriteViolations = Record<string, WriteViolation>;

// unique_violation and foreign_key_violation; both drivers report the constraint's name.
const EXPECTED_CODES = new Set(['23505', '23503']);

/** The answer to an expected violation, or undefined for anything else (which stays a 500). */
export function answerViolation(
  error: unknown,
  violations: WriteViolations,
): { status: 400 | 409; body: ErrorBody } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string' || !EXPECTED_CODES.has(code) || typeof constraint !== 'string') {
    return undefined;
  }
  const violation = violations[constraint];
  if (violation === undefined) return undefined;
  const path = `body.${violation.field}`;
  const summary =
    violation.status === 409
      ? `Conflict: ${path} ${violation.message}`
      : `Invalid request: ${path}: ${violation.message}`;
  return {
    status: violation.status,
    body: errorBody(violation.status, summary, [{ path, message: violation.message }]),
  };
}
