import type { Knex } from 'knex';
import type { Database } from '../platform/db/connection.js';
import type { CommentStatus } from '../comments/index.js';
import type { LogAction } from './log-queries.js';
import type { Move } from './moderation.js';
import { forgetDeletedComments, type DeletedComment } from '../privacy/index.js';

/** Every change a moderator makes, each with its log row in one transaction. The pages' reads are in queue-queries.ts; what approval mail reads is in approval-mail-queries.ts. */

export interface Actor {
  id: string;
  name: string;
}

/**
 * Called inside a change's transaction with the comments it made approved,
 * so what follows from an approval (its mail) commits with it or not at all.
 */
export type ApprovalHook = (trx: Knex.Transaction, commentIds: string[]) => Promise<void>;

export interface LockedComment {
  id: string;
  status: CommentStatus;
  /** The status it had before its current one, as the log remembers. */
  previous: CommentStatus | null;
}

export interface ModerationResult {
  changes: Array<{ id: string; from: CommentStatus; to: CommentStatus | null }>;
  unchanged: string[];
  notAllowed: string[];
  missing: string[];
  /** Outbox ids of the mail about the comments deleted for good, gone with them: their files go once this commits. */
  forgottenMail: string[];
}

async function previousStatuses(trx: Knex.Transaction, rows: Array<{ id: string; status: CommentStatus }>) {
  const latest = await trx('moderation_log')
    .distinctOn('comment_id')
    .select<Array<{ comment_id: string; from_status: CommentStatus | null; to_status: CommentStatus | null }>>(
      'comment_id',
      'from_status',
      'to_status',
    )
    .whereIn(
      'comment_id',
      rows.map((row) => row.id),
    )
    .where({ action: 'status' })
    .orderBy([{ column: 'comment_id' }, { column: 'id', order: 'desc' }]);
  const byId = new Map(latest.map((entry) => [String(entry.comment_id), entry]));
  return (row: { id: string; status: CommentStatus }) => {
    const entry = byId.get(row.id);
    return entry && entry.to_status === row.status ? entry.from_status : null;
  };
}

export const logRow = (
  actor: Actor,
  at: Date,
  commentId: string,
  action: LogAction,
  from: CommentStatus | null,
  to: CommentStatus | null,
) => ({
  comment_id: commentId,
  actor_id: actor.id,
  actor_name: actor.name,
  action,
  from_status: from,
  to_status: to,
  created_at: at,
});

/** Applies one move and logs it; for a deletion, returns what the deleted row leaves to forget (its mail, its counters). */
async function applyMove(
  trx: Knex.Transaction,
  actor: Actor,
  at: Date,
  comment: { id: string; status: CommentStatus },
  move: Move,
): Promise<DeletedComment | null> {
  if (move.kind === 'delete') {
    const [deleted] = await trx('comments').where({ id: comment.id }).delete().returning<DeletedComment[]>(['id', 'author_email', 'ip']);
    await trx('moderation_log').insert(logRow(actor, at, comment.id, 'delete', comment.status, null));
    return deleted ?? null;
  } else if (move.kind === 'status') {
    await trx('comments')
      .where({ id: comment.id })
      .update({
        status: move.to,
        approved_at: move.to === 'approved' ? at : null,
        moderated_by: actor.id,
        moderated_at: at,
        updated_at: at,
      });
    await trx('moderation_log').insert(logRow(actor, at, comment.id, 'status', comment.status, move.to));
  }
  return null;
}

/**
 * The status counts of these comments' articles change when the transaction
 * commits, one counted change at a time. Taking their rows now, in one order
 * for everyone, keeps two moderators moving many comments at once from
 * deadlocking on them.
 */
export async function lockCountsOf(trx: Knex.Transaction, commentIds: readonly string[]): Promise<void> {
  if (commentIds.length === 0) return;
  await trx.raw(
    `SELECT 1 FROM comment_counts
      WHERE article_id IN (SELECT article_id FROM comments WHERE id = ANY(?::bigint[]))
      ORDER BY article_id, status FOR UPDATE`,
    [[...commentIds]],
  );
}

/**
 * Locks the comments (in id order, so two moderators never deadlock), asks
 * `plan` what to do with each as it is now, applies that and logs it, all in
 * one transaction: the log's from-status is the status that was really changed.
 */
export async function moderateComments(
  db: Database,
  ids: readonly string[],
  actor: Actor,
  at: Date,
  plan: (comment: LockedComment) => Move,
  onApproved?: ApprovalHook,
): Promise<ModerationResult> {
  return db.transaction(async (trx) => {
    const locked = (await trx('comments').select('id', 'status').whereIn('id', ids).orderBy('id').forUpdate()).map(
      (row: { id: string | number; status: CommentStatus }) => ({ id: String(row.id), status: row.status }),
    );
    await lockCountsOf(
      trx,
      locked.map((row) => row.id),
    );
    const previousOf = await previousStatuses(trx, locked);
    const result: ModerationResult = { changes: [], unchanged: [], notAllowed: [], missing: [], forgottenMail: [] };
    const found = new Set(locked.map((row) => row.id));
    const deleted: DeletedComment[] = [];
    result.missing = ids.filter((id) => !found.has(id));
    for (const comment of locked) {
      const move = plan({ ...comment, previous: previousOf(comment) });
      if (move.kind === 'skip') {
        (move.reason === 'unchanged' ? result.unchanged : result.notAllowed).push(comment.id);
        continue;
      }
      const gone = await applyMove(trx, actor, at, comment, move);
      if (gone) deleted.push(gone);
      result.changes.push({ id: comment.id, from: comment.status, to: move.kind === 'status' ? move.to : null });
    }
    // A comment deleted for good takes its mail (about it, to its author about it) with it.
    result.forgottenMail = await forgetDeletedComments(trx, deleted);
    const approved = result.changes.filter((change) => change.to === 'approved').map((change) => change.id);
    if (onApproved && approved.length > 0) await onApproved(trx, approved);
    return result;
  });
}

/** Every comment in one status, in id order: what "Empty spam" and "Empty trash" delete. */
export async function listIdsInStatus(db: Database, status: CommentStatus): Promise<string[]> {
  const rows = await db('comments').select<Array<{ id: string }>>('id').where({ status }).orderBy('id');
  return rows.map((row) => String(row.id));
}

export interface SiteReply {
  authorName: string;
  authorEmail: string;
  body: string;
}

export type ReplyResult =
  { kind: 'stored'; replyId: string; approvedParent: boolean } | { kind: 'missing' } | { kind: 'not-allowed'; status: CommentStatus };

/**
 * Stores the site's reply under a comment; `planParent` says whether the
 * parent must be approved first. The reply is approved as it is stored.
 */
export async function insertSiteReply(
  db: Database,
  parentId: string,
  actor: Actor,
  at: Date,
  reply: SiteReply,
  planParent: (status: CommentStatus) => Move,
  onApproved?: ApprovalHook,
): Promise<ReplyResult> {
  return db.transaction(async (trx) => {
    const parent = await trx('comments')
      .select('id', 'article_id', 'status')
      .where({ id: parentId })
      .forUpdate()
      .first<{ id: string; article_id: string; status: CommentStatus } | undefined>();
    if (!parent) return { kind: 'missing' };
    const move = planParent(parent.status);
    if (move.kind === 'skip' && move.reason === 'not-allowed') return { kind: 'not-allowed', status: parent.status };
    await applyMove(trx, actor, at, { id: String(parent.id), status: parent.status }, move);
    const [inserted] = await trx('comments')
      .insert({
        article_id: parent.article_id,
        parent_id: parent.id,
        status: 'approved',
        status_reasons: JSON.stringify([]),
        author_name: reply.authorName,
        author_email: reply.authorEmail,
        author_url: '',
        body: reply.body,
        user_id: actor.id,
        is_site_reply: true,
        created_at: at,
        approved_at: at,
      })
      .returning<Array<{ id: string }>>('id');
    const replyId = String(inserted!.id);
    await trx('moderation_log').insert(logRow(actor, at, replyId, 'reply', null, 'approved'));
    const approvedParent = move.kind === 'status' && move.to === 'approved';
    // After the parent's approval, so the reply's mail finds its parent published.
    await onApproved?.(trx, approvedParent ? [String(parent.id), replyId] : [replyId]);
    return { kind: 'stored', replyId, approvedParent };
  });
}

export interface CommentEdit {
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  body: string;
}

/**
 * A moderator rewrites a comment's words and author, logged as an edit, and
 * marked so that its author's own edit can no longer write over it.
 * False when the comment is gone.
 */
export async function updateCommentText(db: Database, id: string, actor: Actor, at: Date, edit: CommentEdit): Promise<boolean> {
  return db.transaction(async (trx) => {
    const comment = await trx('comments')
      .select('id', 'status')
      .where({ id })
      .forUpdate()
      .first<{ id: string; status: CommentStatus } | undefined>();
    if (!comment) return false;
    await trx('comments').where({ id }).update({
      author_name: edit.authorName,
      author_email: edit.authorEmail,
      author_url: edit.authorUrl,
      body: edit.body,
      updated_at: at,
      moderator_edited_at: at,
    });
    await trx('moderation_log').insert(logRow(actor, at, id, 'edit', comment.status, comment.status));
    return true;
  });
}
