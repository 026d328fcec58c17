import { hash, verify } from '@node-rs/argon2';

// OWASP's first recommended argon2id setting (Password Storage Cheat Sheet): 19 MiB, two
// passes, one lane. About 15 ms here, on libuv's thread pool, so the event loop stays free.
export const ARGON2ID_OPTIONS = {
  // Algorithm.Argon2id: the package declares it as a const enum, which verbatimModuleSyntax
  // cannot import.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

// NIST SP 800-63B asks for Unicode normalisation, so a password typed on another keyboard or
// system (composed é versus e + combining accent) still matches.
const normalised = (password: string) => password.normalize('NFKC');

/** The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) to store for `password`. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalised(password), ARGON2ID_OPTIONS);
}

/** Whether `password` matches the stored hash; a malformed hash never matches. */
export async function passwordMatches(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, normalised(password));
  } catch {
    return false;
  }
}

const CURRENT_SETTINGS = `$argon2id$v=19$m=${ARGON2ID_OPTIONS.memoryCost},t=${ARGON2ID_OPTIONS.timeCost},p=${ARGON2ID_OPTIONS.parallelism}$`;

/** Whether a stored hash was made with other settings than today's and should be redone. */
export function hashNeedsUpgrade(storedHash: string): boolean {
  return !storedHash.startsWith(CURRENT_SETTINGS);
}

// A login for an email with no account checks the password against this hash, so it costs
// what a wrong password costs and the answer's timing does not tell the two apart.
let decoy: Promise<string> | undefined;

/** Spends the time of one password check, for an email that has no account. */
export async function spendPasswordCheck(password: string): Promise<void> {
  decoy ??= hashPassword('enclave decoy password, never matches anything');
  await passwordMatches(await decoy, password);
}
