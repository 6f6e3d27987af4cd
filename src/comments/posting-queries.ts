import type { Knex } from 'knex';
import type { Database } from '../platform/db/connection.js';
import { countRateLimitEvent, type RateLimitCount } from '../platform/db/rate-limits.js';
import { describedValueSql, matchingBlocksQuery, type BlockRow } from '../moderation/index.js';
import type { HashedCommenter } from '../moderation/index.js';
import { approvedCommentQuery, duplicateCommentQuery, type CommentRow, type CommentStatus, type NewComment } from './comment-queries.js';

/** The reads and writes of one comment post; posting.ts runs them in one transaction. */

export type PostedCommentText = Pick<NewComment, 'article_id' | 'parent_id' | 'author_name' | 'author_email' | 'body'>;

export type PostedParent = Pick<CommentRow, 'id' | 'article_id' | 'status' | 'author_name' | 'author_email' | 'body' | 'notify_on_reply'>;

export interface PostingChecks {
  /** The comment already stored under this submission id (a resent form). */
  earlier: Pick<CommentRow, 'id' | 'article_id' | 'status' | 'body'> | null;
  parent: PostedParent | null;
  duplicate: boolean;
  /** WordPress's "previously approved": this name and email already have an approved comment. */
  previouslyApproved: boolean;
  block: Pick<BlockRow, 'kind' | 'value'> | null;
  /** The article's approved comments, from the kept counts. */
  approvedOnArticle: number;
}

interface ChecksRow {
  earlier: PostingChecks['earlier'];
  parent: PostedParent | null;
  duplicate: boolean;
  previously_approved: boolean;
  block: PostingChecks['block'];
  approved_on_article: number;
}

/**
 * What the rules need to know about a comment about to be posted, in one
 * statement: every statement is a round trip, and round trips are most of
 * what a post costs the app and the database.
 */
export async function readPostingChecks(
  db: Database,
  submissionId: string | null,
  comment: PostedCommentText,
  ip: string | null,
  hashed: HashedCommenter = { email: null, ip: null },
): Promise<PostingChecks> {
  const firstAsJson = (query: Knex.QueryBuilder) => db.raw('(SELECT row_to_json(found) FROM (?) AS found)', [query.limit(1)]);
  const none = db.raw('NULL::json');
  const [row]: ChecksRow[] = await db.select({
    earlier: submissionId
      ? firstAsJson(
          db('comments')
            .select(db.raw('id::text AS id, article_id::text AS article_id, status, body'))
            .where({ submission_id: submissionId }),
        )
      : none,
    parent: comment.parent_id
      ? firstAsJson(
          db('comments')
            .select(
              db.raw('id::text AS id, article_id::text AS article_id'),
              'status',
              'author_name',
              'author_email',
              'body',
              'notify_on_reply',
            )
            .where({ id: comment.parent_id }),
        )
      : none,
    duplicate: db.raw('EXISTS (?)', [duplicateCommentQuery(db, comment)]),
    previously_approved: comment.author_email
      ? // A comment brought in from Disqus proves nothing about who types this name and address now.
        db.raw('EXISTS (?)', [
          approvedCommentQuery(db, comment.author_name, comment.author_email).whereRaw("imported_from IS DISTINCT FROM 'disqus'"),
        ])
      : db.raw('false'),
    block: firstAsJson(matchingBlocksQuery(db, comment.author_email, ip, hashed).select('kind', db.raw(`${describedValueSql} AS value`))),
    approved_on_article: db.raw("(SELECT coalesce(sum(count), 0)::int FROM comment_counts WHERE article_id = ? AND status = 'approved')", [
      comment.article_id,
    ]),
  });
  return {
    earlier: row!.earlier,
    parent: row!.parent,
    duplicate: row!.duplicate,
    previouslyApproved: row!.previously_approved,
    block: row!.block,
    approvedOnArticle: row!.approved_on_article,
  };
}

/**
 * Counts one post against each flood key; returns every key's count in its
 * window. The row lock it takes holds a second post of the same commenter
 * until this one commits, so the second sees the first's comment.
 */
export async function countFloodAttempt(
  db: Database,
  keys: readonly string[],
  durationMs: number,
  nowMs: number,
): Promise<RateLimitCount[]> {
  return countRateLimitEvent(db, keys, durationMs, nowMs);
}

export interface CommentToStore extends Omit<NewComment, 'status_reasons'> {
  status: CommentStatus;
  status_reasons: unknown[];
}

/** The new comment's id; null when a copy of the same form (its submission id) is already stored. */
export async function insertPostedComment(db: Database, comment: CommentToStore): Promise<string | null> {
  const [row] = await db('comments')
    .insert({ ...comment, status_reasons: JSON.stringify(comment.status_reasons) })
    .onConflict('submission_id')
    .ignore()
    .returning<Array<{ id: string }>>('id');
  return row ? String(row.id) : null;
}
