import {
  conflict,
  invalidRequest,
  notYoursMessage,
  takenMessage,
  type ErrorBody,
  type FieldSpec,
} from '@enclave/contract';
import { constraintViolation } from '../db/constraint-violation.js';
import type { RegisteredResource } from './generic-resource.js';

/** How a broken database rule on a write answers: the field it concerns, and why. */
interface WriteViolation {
  status: 400 | 409;
  field: string;
  message: string;
}

export type WriteAnswer = { status: 400; body: ErrorBody } | { status: 409; body: ErrorBody };

/**
 * Constraint name → answer, derived from what the resource declares: each `unique` field is
 * PostgreSQL's default name for a unique (user_id, field) constraint, each `references` field
 * its default name for a foreign key on (user_id, field). The migration creates them under
 * these names (a test checks every one exists).
 */
export function expectedViolations(resource: RegisteredResource): Map<string, WriteViolation> {
  const { name } = resource;
  const violations = new Map<string, WriteViolation>();
  const unique: readonly string[] = resource.unique ?? [];
  for (const field of unique) {
    violations.set(`${name}_user_id_${field}_key`, {
      status: 409,
      field,
      message: takenMessage(field, name),
    });
  }
  for (const [field, spec] of Object.entries<FieldSpec>(resource.fieldSpecs)) {
    const target = spec.references;
    if (target === undefined) continue;
    // The same answer whether the item is another user's or does not exist: no leak.
    violations.set(`${name}_user_id_${field}_fkey`, {
      status: 400,
      field,
      message: notYoursMessage(target),
    });
  }
  return violations;
}

/** The answer to an expected violation, or undefined for anything else (which stays a 500). */
export function answerViolation(
  error: unknown,
  violations: ReadonlyMap<string, WriteViolation>,
): WriteAnswer | undefined {
  const broken = constraintViolation(error);
  const violation = broken && violations.get(broken.constraint);
  if (violation === undefined) return undefined;
  const detail = { path: `body.${violation.field}`, message: violation.message };
  return violation.status === 409
    ? { status: 409, body: conflict(detail) }
    : { status: 400, body: invalidRequest([detail]) };
}
