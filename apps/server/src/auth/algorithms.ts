/** The HMAC algorithms this server signs and verifies its own tokens with. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
