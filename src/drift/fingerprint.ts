/**
 * A function's fingerprint: the first 16 hex digits of the sha256 of its normalised tokens
 * (parse-c.ts), one a line. The same function is used for the fingerprints recorded per
 * release (scripts/cite-kernel.js) and for those of a user's tree (probecheck drift), so two
 * fingerprints are equal exactly when the two definitions have the same tokens.
 */
import { createHash } from 'node:crypto';

export function fingerprintTokens(tokens: readonly string[]): string {
  return createHash('sha256').update(tokens.join('\n')).digest('hex').slice(0, 16);
}
