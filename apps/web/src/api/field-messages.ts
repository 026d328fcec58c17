import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_RULES,
  type FieldSpec,
} from '@enclave/contract';

// The API names each failing field with its rule ("must be at most 200 characters"): exact,
// but written for programs. A form says it to a person instead: which field, and what it
// takes ("Title must be 1–200 characters"). The limits come from the contract, so a changed
// limit changes the message with it.

/** How a form speaks of one of its fields. */
export interface FieldText {
  /** The field's label, as the form shows it. */
  label: string;
  /** What a value must be, said whole (replaces any length rule the API names). */
  rule?: string;
  /** What a 409 naming this field means here (e.g. "You already have a project named that."). */
  taken?: string;
}

/** Field name → how the form speaks of it. */
export type FieldTexts = Partial<Record<string, FieldText>>;

// The API's statements of a rule, which a field's own `rule` says better; any other message
// (a malformed email, a project that is not the user's) is kept, after the label.
const isRuleText = (raw: string) =>
  /^must be at (?:least|most) \d+ characters?$/.test(raw) || raw === PASSWORD_RULES;

/** "Title must be 1–200 characters" from a text field's spec (its OpenAPI limits). */
export function lengthRule(label: string, spec: FieldSpec): string {
  const { minLength, maxLength } = spec.openApi as { minLength?: number; maxLength?: number };
  if (maxLength === undefined) return `${label} is too long`;
  if (minLength === undefined || minLength === 0) {
    return `${label} must be at most ${maxLength} characters`;
  }
  return `${label} must be ${minLength}–${maxLength} characters`;
}

/**
 * What the form shows for the API's `message` on `field`: the field's own rule or conflict
 * text when there is one, else the label followed by the API's words ("Email must be an
 * email address such as ann@example.com"), which read as a sentence.
 */
export function humanMessage(
  text: FieldText | undefined,
  field: string,
  raw: string,
  status: number,
): string {
  if (text === undefined) return `${capitalised(field.replace(/_/g, ' '))} ${raw}`;
  if (status === 409 && text.taken !== undefined) return text.taken;
  if (text.rule !== undefined && isRuleText(raw)) {
    return text.rule;
  }
  return `${text.label} ${raw}`;
}

const capitalised = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

/** The password rule as the sign-up and password forms say it. */
export const NEW_PASSWORD_RULE =
  `Choose a password of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters ` +
  '(spaces are fine) that is not your email address.';
