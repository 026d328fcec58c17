import { z } from 'zod';

// How values of environment variables are read: by config.ts, and by the modules that own a
// group of variables (auth/auth-env.ts), so every variable is parsed one way.

// An empty variable (`FOO=`) means "not set", as most deployment tools write it that way.
export const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

// z.coerce.number() would read ' ' as 0 (a random port) and '0x10' as 16: a number from the
// environment must be plain decimal digits.
export const integer = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));
};

// A URL the regex accepts but `new URL()` cannot parse would fail later, outside this error
// path, with an error that carries the whole URL, password included.
export const isParsableUrl = (value: string) => {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
};

// Secrets are never echoed in a message, so an entry is only checked for being non-empty.
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean),
);
