import { createHash, randomBytes } from 'node:crypto';
import { signValue, verifySignedValue } from '../platform/signed-tokens.js';

/**
 * An invitation link's token: a random value, signed so a forged one is
 * refused before any lookup. The database keeps only its SHA-256.
 */

const PURPOSE = 'invitation';
export const INVITATION_LIFETIME_MS = 48 * 60 * 60 * 1000;

export function newInvitationToken(secret: string): { token: string; hash: Buffer } {
  const value = randomBytes(32).toString('base64url');
  return { token: signValue(secret, PURPOSE, value), hash: hashOf(value) };
}

/** The stored hash a link stands for; null for a forged or damaged link. */
export function invitationHashOf(secret: string, token: unknown): Buffer | null {
  const value = verifySignedValue(secret, PURPOSE, token);
  return value === null ? null : hashOf(value);
}

const hashOf = (value: string) => createHash('sha256').update(value).digest();
