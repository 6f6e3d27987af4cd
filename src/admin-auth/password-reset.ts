import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../platform/db/connection.js';
import { enqueueMail } from '../mail/index.js';
import { recordAccountEvent } from '../people/index.js';
import { consumeReset, findUsableReset, insertPasswordReset } from './password-reset-queries.js';
import { AdminAccountError } from './admins.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { deleteAllSessions } from './session-queries.js';
import { findUserByUsername, updatePasswordHash, type UserRow } from './user-queries.js';

/**
 * Password reset links: 32 random bytes in the link, only their SHA-256 in
 * the database, used once, valid for an hour. Setting a password this way
 * ends every session of the account: whoever knew the old one is out.
 */

export const RESET_LINK_LIFETIME_MS = 60 * 60 * 1000;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The hash a token is stored as, or null when it cannot be one of ours (then nothing is looked up). */
export function resetTokenHash(token: string): Buffer | null {
  return TOKEN_PATTERN.test(token) ? createHash('sha256').update(token).digest() : null;
}

/** Makes a link for `user` and queues the mail with it; nothing when the account has no address or is disabled. */
export async function mailResetLink(db: Database, user: UserRow, baseUrl: string, nowMs: number): Promise<void> {
  if (!user.email || user.status !== 'active') return;
  const token = randomBytes(32).toString('base64url');
  const tokenHash = resetTokenHash(token)!;
  await insertPasswordReset(db, { tokenHash, userId: user.id, expiresAt: new Date(nowMs + RESET_LINK_LIFETIME_MS) });
  const link = new URL(`/admin/password-reset/${token}`, baseUrl).toString();
  await enqueueMail(db, {
    dedupe_key: `password-reset:${tokenHash.toString('hex')}`,
    kind: 'password-reset',
    recipient: user.email,
    subject: 'Reset your Broadsheet password',
    body: [
      `Someone asked to reset the password of the account “${user.username}”.`,
      '',
      'To choose a new password, open this link within the hour. It works once:',
      link,
      '',
      'If it was not you, ignore this mail: your password stays as it is.',
    ].join('\n'),
  });
}

/** The account a link still opens (not used, not expired), or null. */
export async function accountOfResetLink(db: Database, token: string, nowMs: number): Promise<string | null> {
  const tokenHash = resetTokenHash(token);
  return tokenHash ? findUsableReset(db, tokenHash, new Date(nowMs)) : null;
}

/** Uses the link up and sets the password, in one transaction; false (and no change) when the link no longer opens anything. */
export async function resetPasswordWithLink(
  db: Database,
  token: string,
  password: string,
  nowMs: number,
  ip: string | null,
): Promise<boolean> {
  const tokenHash = resetTokenHash(token);
  if (!tokenHash) return false;
  const passwordHash = await hashPassword(password);
  const userId = await db.transaction(async (trx) => {
    const owner = await consumeReset(trx, tokenHash, new Date(nowMs));
    if (owner) await updatePasswordHash(trx, owner, passwordHash);
    return owner;
  });
  if (!userId) return false;
  await deleteAllSessions(db, userId);
  await recordAccountEvent(db, { kind: 'password-reset', actorId: null, subjectId: userId, ip, detail: 'by e-mail link' });
  return true;
}

/**
 * For a site without mail (npm run admin -- reset-password): sets the
 * password of `username`, ends every session of the account and records it.
 * Refusals are AdminAccountErrors, printed as they are.
 */
export async function resetPasswordFromCommandLine(db: Database, username: string, password: string): Promise<UserRow> {
  const user = await findUserByUsername(db, username);
  if (!user) throw new AdminAccountError(`There is no account named "${username}".`);
  const problem = passwordProblem(password);
  if (problem) throw new AdminAccountError(problem);
  await updatePasswordHash(db, user.id, await hashPassword(password));
  await deleteAllSessions(db, user.id);
  await recordAccountEvent(db, { kind: 'password-reset', actorId: null, subjectId: user.id, ip: null, detail: 'from the command line' });
  return user;
}
