import { deflateRawSync } from 'node:zlib';

// A signing secret must be unguessable, and length alone does not say so: 32 × "x" is 32 bytes
// and no secret at all. Its entropy is estimated from what it is made of, as the lesser of two
// measures: the Shannon entropy of its characters' frequencies times its length (with the
// Miller–Madow correction, as a short string under-counts the characters it could hold), which
// catches one character repeated or a few used throughout; and its size once compressed, which
// catches a pattern repeated ("abcd" × 25, "0123456789" × 4). A random secret scores close to
// what it holds (`openssl rand -base64 48`: 330 to 390 bits), a memorable phrase far less.

/** The least entropy a production secret may have: that of a random 16-byte key. */
export const MIN_SECRET_ENTROPY_BITS = 128;

/** How to make a secret that passes, for the messages that refuse one. */
export const SECRET_ADVICE = 'generate one with: openssl rand -base64 48';

/** The estimated entropy of `secret`, in bits (see above). */
export function estimateEntropyBits(secret: string): number {
  const characters = Array.from(secret);
  if (characters.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const share = count / characters.length;
    bitsPerCharacter -= share * Math.log2(share);
  }
  const shannon = bitsPerCharacter * characters.length + (counts.size - 1) / (2 * Math.LN2);
  const compressed = 8 * deflateRawSync(secret, { level: 9 }).length;
  return Math.min(shannon, compressed);
}
