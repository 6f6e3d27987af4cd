import type { Database } from '../platform/db/connection.js';
import { IP_CLEARED_STATUSES, type RetentionCutoffs } from './retention-rules.js';

/**
 * The clean-up job's statements. Each touches at most `limit` rows, so none
 * runs into the statement timeout on a large backlog and none holds many
 * row locks for long; the job calls each until it does less than a batch.
 */

const affected = (result: { rowCount: number | null }) => result.rowCount ?? 0;

/** IP address and user agent off approved and trashed comments posted before the cutoff. */
export async function clearOldCommentIps(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(
      `UPDATE comments SET ip = NULL, user_agent = ''
        WHERE id IN (
          SELECT id FROM comments
           WHERE status = ANY(?::text[]) AND created_at < ? AND (ip IS NOT NULL OR user_agent <> '')
           ORDER BY id
           LIMIT ?)`,
      [[...IP_CLEARED_STATUSES], cutoffs.commentPostedBefore, limit],
    ),
  );
}

/** Admin sessions past their expiry (connect-pg-simple's own sweep does the same on each instance). */
export async function deleteExpiredSessions(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(`DELETE FROM session WHERE sid IN (SELECT sid FROM session WHERE expire < to_timestamp(?) LIMIT ?)`, [
      cutoffs.now.getTime() / 1000,
      limit,
    ]),
  );
}

/** Rate-limit counts whose window has ended (their `expire` is in epoch milliseconds). */
export async function deleteExpiredRateLimits(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(`DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE expire < ? LIMIT ?)`, [
      cutoffs.now.getTime(),
      limit,
    ]),
  );
}

/** Invitation links expired or used before the cutoff. */
export async function deleteSpentInvitations(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(
      `DELETE FROM invitations WHERE token_hash IN (
         SELECT token_hash FROM invitations WHERE expires_at < ? OR used_at < ? LIMIT ?)`,
      [cutoffs.tokenSpentBefore, cutoffs.tokenSpentBefore, limit],
    ),
  );
}

/** Password-reset links expired or used before the cutoff. */
export async function deleteSpentPasswordResets(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(
      `DELETE FROM password_resets WHERE token_hash IN (
         SELECT token_hash FROM password_resets WHERE expires_at < ? OR used_at < ? LIMIT ?)`,
      [cutoffs.tokenSpentBefore, cutoffs.tokenSpentBefore, limit],
    ),
  );
}

/** Recovery codes used before the cutoff: a used code is refused whether its row is there or not. */
export async function deleteUsedRecoveryCodes(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  return affected(
    await db.raw(
      `DELETE FROM two_factor_recovery_codes WHERE id IN (
         SELECT id FROM two_factor_recovery_codes WHERE used_at < ? LIMIT ?)`,
      [cutoffs.tokenSpentBefore, limit],
    ),
  );
}

/**
 * Two-factor enrolments begun before the cutoff and never confirmed: the
 * unconfirmed secret goes, and the row with it when the account has no
 * confirmed two-factor either.
 */
export async function dropAbandonedEnrolments(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  const due = `SELECT user_id FROM two_factor WHERE pending_since < ? ORDER BY user_id LIMIT ?`;
  return db.transaction(async (trx) => {
    const deleted = affected(
      await trx.raw(`DELETE FROM two_factor WHERE secret IS NULL AND user_id IN (${due})`, [cutoffs.enrolmentBegunBefore, limit]),
    );
    const cleared = affected(
      await trx.raw(`UPDATE two_factor SET pending_secret = NULL, pending_since = NULL WHERE user_id IN (${due})`, [
        cutoffs.enrolmentBegunBefore,
        limit,
      ]),
    );
    return deleted + cleared;
  });
}

/** Rate-limit counters by exact key (a deleted comment's flood and edit counters). */
export async function deleteRateLimitKeys(db: Database, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  return affected(await db.raw<{ rowCount: number | null }>(`DELETE FROM rate_limits WHERE key = ANY(?::text[])`, [[...keys]]));
}

/**
 * Privacy requests a day past their week: an unconfirmed one goes; a
 * confirmed one forgets the address and its link, keeping who, what, when
 * and the report.
 */
export async function forgetSpentPrivacyRequests(db: Database, cutoffs: RetentionCutoffs, limit: number): Promise<number> {
  const deleted = affected(
    await db.raw(
      `DELETE FROM privacy_requests WHERE id IN (
         SELECT id FROM privacy_requests WHERE confirmed_at IS NULL AND expires_at < ? LIMIT ?)`,
      [cutoffs.tokenSpentBefore, limit],
    ),
  );
  const forgotten = affected(
    await db.raw(
      `UPDATE privacy_requests SET email = NULL, token_hash = NULL WHERE id IN (
         SELECT id FROM privacy_requests WHERE confirmed_at IS NOT NULL AND email IS NOT NULL AND expires_at < ? LIMIT ?)`,
      [cutoffs.tokenSpentBefore, limit],
    ),
  );
  return deleted + forgotten;
}
