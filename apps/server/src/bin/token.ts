// Prints a signed access token for a user id, using the server's own JWT configuration.
// Usage: token <user_id> [ttl_seconds]
import { signAccessToken } from '../auth/sign-token.js';
import { ConfigError, loadConfig } from '../config.js';

const [userId, ttl = '3600'] = process.argv.slice(2);
const ttlSeconds = Number(ttl);
if (userId === undefined || userId === '' || !Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
  process.stderr.write('usage: token <user_id> [ttl_seconds, default 3600]\n');
  process.exit(2);
}
try {
  const config = loadConfig();
  for (const warning of config.warnings) process.stderr.write(`note: ${warning}\n`);
  if (config.jwt.secret === undefined) {
    throw new ConfigError(
      "this server accepts only the provider's tokens (no HS algorithm); get a token from the provider",
    );
  }
  process.stdout.write(`${signAccessToken(userId, config.jwt, ttlSeconds)}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`token: ${error.message}\n`);
  process.exit(1);
}
