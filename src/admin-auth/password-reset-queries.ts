import type { Database } from '../platform/db/connection.js';
import { findUserByUsername, type UserRow } from './user-queries.js';

/** Password reset links (stored as hashes of their tokens) and the e-mail addresses they go to. */

const UNIQUE_VIOLATION = '23505';

/** The account a reset form names: a username, or else an e-mail address (either case). */
export async function findUserByLogin(db: Database, login: string): Promise<UserRow | null> {
  const byName = await findUserByUsername(db, login);
  if (byName) return byName;
  if (!login.includes('@')) return null;
  return (await db<UserRow>('users').whereRaw('lower(email) = lower(?)', [login]).first()) ?? null;
}

/** Sets (or, with null, removes) an account's e-mail address; false when another account has it (the unique index on lower(email)). */
export async function updateUserEmail(db: Database, id: string, email: string | null): Promise<boolean> {
  try {
    await db('users').where({ id }).update({ email, updated_at: db.fn.now() });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
    throw error;
  }
}

export async function insertPasswordReset(db: Database, reset: { tokenHash: Buffer; userId: string; expiresAt: Date }): Promise<void> {
  await db('password_resets').insert({ token_hash: reset.tokenHash, user_id: reset.userId, expires_at: reset.expiresAt });
}

/** The account a link still opens, or null: unknown, used or expired. */
export async function findUsableReset(db: Database, tokenHash: Buffer, now: Date): Promise<string | null> {
  const row: { user_id: string } | undefined = await db<{ token_hash: Buffer; user_id: string; used_at: Date | null; expires_at: Date }>(
    'password_resets',
  )
    .select('user_id')
    .where({ token_hash: tokenHash })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .first();
  return row ? String(row.user_id) : null;
}

/**
 * Uses a link up, in `trx`: only one of two requests with the same link can
 * get its account back. Every other open link of that account goes with it.
 */
export async function consumeReset(trx: Database, tokenHash: Buffer, now: Date): Promise<string | null> {
  const [row] = await trx('password_resets')
    .where({ token_hash: tokenHash })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now })
    .returning<Array<{ user_id: string }>>('user_id');
  if (!row) return null;
  const userId = String(row.user_id);
  await trx('password_resets').where({ user_id: userId }).whereNull('used_at').update({ used_at: now });
  return userId;
}
