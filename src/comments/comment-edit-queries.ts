import type { Database } from '../platform/db/connection.js';
import type { CommentRow, CommentStatus } from './comment-queries.js';
import { countRateLimitEvent, type RateLimitCount } from '../platform/db/rate-limits.js';

/** Why a comment is in its status, as stored with it. */
export interface StoredReason {
  code: string;
  text: string;
}

/** A comment as its author's edit page needs it: what a change must still find, and whether a moderator got there first. */
export interface OwnCommentRow extends CommentRow {
  status_reasons: StoredReason[];
  /** Moved by every change of the row (a trigger), whoever makes it. */
  version: number;
  /** Set by a moderator's status move. */
  moderated_at: Date | null;
  /** Set by a moderator's edit of the words. */
  moderator_edited_at: Date | null;
}

export async function findOwnComment(db: Database, id: string): Promise<OwnCommentRow | null> {
  return (await db<OwnCommentRow>('comments').where({ id }).first()) ?? null;
}

/** What a commenter's edit or withdrawal writes. */
export interface CommenterChange {
  body?: string;
  author_name?: string;
  author_email?: string;
  author_url?: string;
  status: CommentStatus;
  status_reasons: StoredReason[];
}

/**
 * Writes a commenter's change and its log row in one transaction, only over
 * the row as it was read (same version and status) and only while no
 * moderator has touched it. False when that no longer holds: nothing is written.
 */
export async function saveCommenterChange(
  db: Database,
  read: Pick<OwnCommentRow, 'id' | 'version' | 'status' | 'author_name'>,
  change: CommenterChange,
  action: 'edit' | 'status',
  at: Date,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const written = await trx('comments')
      .where({ id: read.id, version: read.version, status: read.status })
      .whereNull('moderated_at')
      .whereNull('moderator_edited_at')
      .update({
        ...change,
        status_reasons: JSON.stringify(change.status_reasons),
        updated_at: at,
        ...(change.status === read.status ? {} : { approved_at: change.status === 'approved' ? at : null }),
      });
    if (written === 0) return false;
    // The commenter, never a moderator: no actor id, and the name says whose change it was.
    await trx('moderation_log').insert({
      comment_id: read.id,
      actor_id: null,
      actor_name: `${read.author_name} (commenter)`,
      action,
      from_status: read.status,
      to_status: change.status,
      created_at: at,
    });
    return true;
  });
}

/** Counts one edit against each key in a fixed window (PostgreSQL, so every instance shares the count). */
export async function countEditAttempt(
  db: Database,
  keys: readonly string[],
  durationMs: number,
  nowMs: number,
): Promise<RateLimitCount[]> {
  return countRateLimitEvent(db, keys, durationMs, nowMs);
}
