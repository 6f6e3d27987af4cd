import type { Knex } from 'knex';
import type { Database, SqlPart } from '../platform/db/connection.js';

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

export interface CommentRow {
  id: string;
  article_id: string;
  parent_id: string | null;
  status: CommentStatus;
  author_name: string;
  author_email: string;
  author_url: string;
  body: string;
  ip: string | null;
  user_agent: string;
  submission_id: string | null;
  created_at: Date;
  approved_at: Date | null;
  notify_on_reply: boolean;
  notify_on_approval: boolean;
  /** Written by a moderator from the queue, as the site. */
  is_site_reply: boolean;
}

/** What a reader may see of a comment: never the email, IP or user agent. */
export type PublicCommentRow = Pick<
  CommentRow,
  'id' | 'parent_id' | 'status' | 'author_name' | 'author_url' | 'body' | 'created_at' | 'is_site_reply'
>;

export type NewComment = Pick<
  CommentRow,
  'article_id' | 'parent_id' | 'status' | 'author_name' | 'author_email' | 'author_url' | 'body' | 'ip' | 'user_agent' | 'submission_id'
> & {
  status_reasons?: string;
  approved_at?: Date | null;
  notify_on_reply?: boolean;
  notify_on_approval?: boolean;
};

const PUBLIC_COLUMNS: Array<keyof PublicCommentRow> = [
  'id',
  'parent_id',
  'status',
  'author_name',
  'author_url',
  'body',
  'created_at',
  'is_site_reply',
];

/** The article's approved comments, plus the viewer's own pending ones, oldest first. */
export async function listVisibleComments(db: Database, articleId: string, ownPendingIds: readonly string[]): Promise<PublicCommentRow[]> {
  const rows = await db<CommentRow>('comments')
    .select<PublicCommentRow[]>(PUBLIC_COLUMNS)
    .where({ article_id: articleId })
    .andWhere((visible) => visibleTo(visible, ownPendingIds))
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
  return rows;
}

/**
 * Approved comments, plus the viewer's own pending ones. Never their spam:
 * nobody is told "awaiting moderation" about a comment no moderator will see
 * in the queue, so a comment caught as spam is simply not shown.
 */
function visibleTo(visible: Knex.QueryBuilder, ownPendingIds: readonly string[]): void {
  visible.where({ status: 'approved' });
  if (ownPendingIds.length > 0) {
    visible.orWhere((own) => {
      own.where({ status: 'pending' }).whereIn('id', ownPendingIds);
    });
  }
}

/** What placing a comment in its thread and page takes, and no more. */
export type CommentOutline = Pick<PublicCommentRow, 'id' | 'parent_id' | 'status' | 'created_at'>;

/** The outline of what listVisibleComments lists, in the same order: enough to cut a long discussion into pages. */
export async function listVisibleCommentOutlines(
  db: Database,
  articleId: string,
  ownPendingIds: readonly string[],
): Promise<CommentOutline[]> {
  return db<CommentRow>('comments')
    .select<CommentOutline[]>(['id', 'parent_id', 'status', 'created_at'])
    .where({ article_id: articleId })
    .andWhere((visible) => visibleTo(visible, ownPendingIds))
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
}

/** Those of these comments that are visible as listVisibleComments says, in full; in no particular order. */
export async function listVisibleCommentsById(
  db: Database,
  articleId: string,
  ownPendingIds: readonly string[],
  ids: readonly string[],
): Promise<PublicCommentRow[]> {
  if (ids.length === 0) return [];
  return db<CommentRow>('comments')
    .select<PublicCommentRow[]>(PUBLIC_COLUMNS)
    .where({ article_id: articleId })
    .whereIn('id', ids)
    .andWhere((visible) => visibleTo(visible, ownPendingIds));
}

/**
 * Where the placeholders of removed comments go: for each comment that these
 * shown comments reply to but that is not among them, its parent, and so on
 * up its thread (a removed reply to a removed reply). Asks nothing when every
 * reply's parent is shown, as in almost every discussion.
 */
export async function listRemovedParents(
  db: Database,
  articleId: string,
  shown: ReadonlyArray<Pick<CommentRow, 'id' | 'parent_id'>>,
): Promise<Map<string, string | null>> {
  const shownIds = new Set(shown.map((comment) => comment.id));
  const missing = [
    ...new Set(shown.flatMap((comment) => (comment.parent_id && !shownIds.has(comment.parent_id) ? [comment.parent_id] : []))),
  ];
  if (missing.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: Array<{ id: string; parent_id: string | null }> }>(
    `WITH RECURSIVE chain (id, parent_id) AS (
       SELECT id, parent_id FROM comments WHERE article_id = ? AND id = ANY(?::bigint[])
       UNION
       SELECT comments.id, comments.parent_id FROM comments JOIN chain ON comments.id = chain.parent_id WHERE comments.article_id = ?
     )
     SELECT id::text AS id, parent_id::text AS parent_id FROM chain`,
    [articleId, missing, articleId],
  );
  return new Map(rows.map((row) => [row.id, row.parent_id]));
}

export async function findComment(db: Database, id: string): Promise<CommentRow | null> {
  return (await db<CommentRow>('comments').where({ id }).first()) ?? null;
}

export async function findCommentBySubmissionId(db: Database, submissionId: string) {
  return (await db<CommentRow>('comments').where({ submission_id: submissionId }).first()) ?? null;
}

/** An earlier, not trashed comment with the same words by the same person in the same place (a SELECT for EXISTS). */
export function duplicateCommentSql(
  comment: Pick<NewComment, 'article_id' | 'parent_id' | 'author_name' | 'author_email' | 'body'>,
): SqlPart {
  return {
    sql: `SELECT 1 FROM comments
           WHERE article_id = ? AND lower(author_email) = lower(?) AND author_name = ? AND body = ?
             AND parent_id IS NOT DISTINCT FROM ?::bigint AND status <> 'trash'`,
    bindings: [comment.article_id, comment.author_email, comment.author_name, comment.body, comment.parent_id],
  };
}

/** An approved comment with this name and email (WordPress's "previously approved"; a SELECT for EXISTS). */
export function approvedCommentSql(authorName: string, authorEmail: string): SqlPart {
  return {
    sql: "SELECT 1 FROM comments WHERE status = 'approved' AND author_name = ? AND lower(author_email) = lower(?)",
    bindings: [authorName, authorEmail],
  };
}

export interface CommentChange {
  body: string;
  author_name: string;
  author_email: string;
  author_url: string;
  status: CommentStatus;
  status_reasons: string;
}

/** A commenter's own edit or withdrawal, recorded in the moderation log like any other change. */
export async function updateOwnComment(db: Database, comment: CommentRow, change: Partial<CommentChange>, action: 'edit' | 'status') {
  await db.transaction(async (trx) => {
    await trx('comments')
      .where({ id: comment.id })
      .update({
        ...change,
        updated_at: trx.fn.now(),
        ...(change.status === 'approved' && comment.status !== 'approved' ? { approved_at: trx.fn.now() } : {}),
        ...(change.status !== undefined && change.status !== 'approved' ? { approved_at: null } : {}),
      });
    await trx('moderation_log').insert({
      comment_id: comment.id,
      actor_id: null,
      actor_name: `${comment.author_name} (commenter)`,
      action,
      from_status: comment.status,
      to_status: change.status ?? comment.status,
    });
  });
}

export async function hasOtherApprovedComment(
  db: Database,
  comment: Pick<CommentRow, 'id' | 'author_name' | 'author_email'>,
  name: string,
  email: string,
) {
  const approved = approvedCommentSql(name, email);
  const result = await db.raw<{ rows: Array<{ found: boolean }> }>(`SELECT EXISTS (${approved.sql} AND id <> ?) AS found`, [
    ...approved.bindings,
    comment.id,
  ]);
  return result.rows[0]!.found;
}

/** Exact counts per status, from the trigger-kept table (optionally for one article). */
export async function countCommentsByStatus(db: Database, articleId?: string): Promise<Record<CommentStatus, number>> {
  const query = db('comment_counts').select('status').sum<{ status: CommentStatus; total: string }[]>({ total: 'count' }).groupBy('status');
  if (articleId) query.where({ article_id: articleId });
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
  for (const row of await query) counts[row.status] = Number(row.total);
  return counts;
}

export interface CommentState {
  id: string;
  status: CommentStatus;
  created_at: Date;
  /** updated_at as PostgreSQL prints it (microseconds kept), and the row version (xmin) that any UPDATE moves. */
  changed: string;
}

/**
 * How these comments stand now, in id order, by primary key: enough to tell
 * whether a page showing them is still current. Every status change and edit
 * sets updated_at; xmin also catches two changes stamped with the same time.
 */
export async function listCommentStates(db: Database, ids: readonly string[]): Promise<CommentState[]> {
  if (ids.length === 0) return [];
  return db('comments')
    .select<CommentState[]>('id', 'status', 'created_at', db.raw(`coalesce(updated_at::text, '') || '/' || xmin::text AS changed`))
    .whereIn('id', ids)
    .orderBy('id');
}
