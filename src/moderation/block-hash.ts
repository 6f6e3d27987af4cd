import { createHmac } from 'node:crypto';

/**
 * A block of an erased commenter keeps only a keyed hash of the address or
 * IP it blocks (HMAC-SHA256 with the site's secret), so the block still
 * matches them while the database no longer holds the value itself. Without
 * the secret, the hash cannot be tested against guesses.
 */

/** Only blocks of one person's values are ever hashed: an address or an IP, never a whole domain. */
export function blockHash(secret: string, kind: 'email' | 'ip', value: string): string {
  return createHmac('sha256', secret).update(`commenter-block\n${kind}\n${value.trim().toLowerCase()}`).digest('hex');
}

/** The hashes a commenter's e-mail and IP would have in a hashed block. */
export interface HashedCommenter {
  email: string | null;
  ip: string | null;
}

export function hashedCommenter(secret: string, email: string, ip: string | null): HashedCommenter {
  return { email: email.trim() ? blockHash(secret, 'email', email) : null, ip: ip ? blockHash(secret, 'ip', ip) : null };
}

/** How a hashed block is named wherever a block is shown or given as a reason. */
export const HASHED_BLOCK_LABEL = 'an erased commenter';
