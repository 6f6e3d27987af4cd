import type { Database } from '../platform/db/connection.js';
import {
  rateLimitCountingSql,
  rateLimitCountOf,
  rateLimitPeekSql,
  type RateLimitCount,
  type RateLimitCounting,
} from '../platform/db/rate-limits.js';
import { queuedMailSql, type NewMail } from '../mail/index.js';
import { describedValueSql, matchingBlocksSql, type BlockRow } from '../moderation/index.js';
import type { HashedCommenter } from '../moderation/index.js';
import { approvedCommentSql, duplicateCommentSql, type CommentRow, type CommentStatus, type NewComment } from './comment-queries.js';

/** The read and the write of one comment post (posting.ts). */

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
  /** The id the comment gets if it is stored, taken now so that its mail can link to it. */
  newId: string;
  /** The flood keys' counts as this post would make them (storePostedComment counts them for good). */
  flood: RateLimitCount[];
}

interface ChecksRow {
  earlier: PostingChecks['earlier'];
  parent: PostedParent | null;
  duplicate: boolean;
  previously_approved: boolean;
  block: PostingChecks['block'];
  approved_on_article: number;
  new_id: string;
  flood: Array<{ key: string; points: number; expire: string }>;
}

/**
 * What the rules need to know about a comment about to be posted, in one
 * statement: every statement is a round trip, and round trips are most of
 * what a post costs the app and the database. Its text is the same for
 * every post (a missing value matches nothing), so it is prepared once per
 * connection and planned once.
 */
export async function readPostingChecks(
  db: Database,
  submissionId: string | null,
  comment: PostedCommentText,
  ip: string | null,
  hashed: HashedCommenter = { email: null, ip: null },
  flood: Pick<RateLimitCounting, 'keys' | 'nowMs'> = { keys: [], nowMs: 0 },
): Promise<PostingChecks> {
  const duplicate = duplicateCommentSql(comment);
  const approved = approvedCommentSql(comment.author_name, comment.author_email);
  const blocks = matchingBlocksSql(comment.author_email, ip, hashed);
  const floodPeek = rateLimitPeekSql(flood.keys, flood.nowMs);
  const sql = `SELECT
      (SELECT row_to_json(found) FROM (
         SELECT id::text AS id, article_id::text AS article_id, status, body FROM comments WHERE submission_id = ?::uuid LIMIT 1
       ) AS found) AS earlier,
      (SELECT row_to_json(found) FROM (
         SELECT id::text AS id, article_id::text AS article_id, status, author_name, author_email, body, notify_on_reply
           FROM comments WHERE id = ?::bigint
       ) AS found) AS parent,
      EXISTS (${duplicate.sql}) AS duplicate,
      -- A comment brought in from Disqus proves nothing about who types this name and address now.
      (?::text <> '' AND EXISTS (${approved.sql} AND imported_from IS DISTINCT FROM 'disqus')) AS previously_approved,
      (SELECT json_build_object('kind', kind, 'value', ${describedValueSql}) FROM (${blocks.sql} LIMIT 1) AS b) AS block,
      (SELECT coalesce(sum(count), 0)::int FROM comment_counts WHERE article_id = ? AND status = 'approved') AS approved_on_article,
      nextval('comments_id_seq')::text AS new_id,
      ${floodPeek.sql} AS flood`;
  const bindings = [
    submissionId,
    comment.parent_id,
    ...duplicate.bindings,
    comment.author_email,
    ...approved.bindings,
    ...blocks.bindings,
    comment.article_id,
    ...floodPeek.bindings,
  ];
  const result = await db.raw<{ rows: ChecksRow[] }>(sql, bindings).options({ name: 'posting-checks' });
  const row = result.rows[0]!;
  return {
    earlier: row.earlier,
    parent: row.parent,
    duplicate: row.duplicate,
    previouslyApproved: row.previously_approved,
    block: row.block,
    approvedOnArticle: row.approved_on_article,
    newId: row.new_id,
    flood: row.flood.map(rateLimitCountOf),
  };
}

/** A new comment as storePostedComment writes it: a value for every column it names. */
export interface CommentToStore extends Required<Omit<NewComment, 'status_reasons'>> {
  /** From PostingChecks.newId. */
  id: string;
  status: CommentStatus;
  status_reasons: unknown[];
}

/** The columns the store names, in one order, so its text is the same for every post (it is prepared by name). */
const STORED_COLUMNS = Object.keys({
  id: true,
  article_id: true,
  parent_id: true,
  status: true,
  status_reasons: true,
  author_name: true,
  author_email: true,
  author_url: true,
  body: true,
  ip: true,
  user_agent: true,
  submission_id: true,
  approved_at: true,
  notify_on_reply: true,
  notify_on_approval: true,
} satisfies Record<keyof CommentToStore, true>);

export interface StoreOutcome {
  /** Every flood key's count, this post included. */
  counts: RateLimitCount[];
  /** False when over the flood limit, or when a copy of the same form (its submission id) is stored already. */
  stored: boolean;
}

/**
 * Counts the post against its flood keys and, within the limit, stores the
 * comment and the staff mail about it: one statement, so all of it or none
 * is stored, and no transaction is held open across round trips. The row
 * lock the count takes holds a second post of the same commenter until
 * this one commits, so the second sees the first's comment.
 */
export async function storePostedComment(
  db: Database,
  comment: CommentToStore,
  flood: RateLimitCounting,
  staffMail: readonly NewMail[],
): Promise<StoreOutcome> {
  const counting = rateLimitCountingSql(flood.keys, flood.durationMs, flood.nowMs);
  const mail = queuedMailSql(staffMail, 'EXISTS (SELECT 1 FROM stored)');
  const columns = STORED_COLUMNS;
  const result = await db
    .raw<{ rows: Array<{ id: string | null; counts: Array<{ key: string; points: number; expire: string }> }> }>(
      `WITH counted AS (${counting.sql}),
     stored AS (
       INSERT INTO comments (${columns.map(() => '??').join(', ')})
       SELECT ${columns.map(() => '??').join(', ')} FROM json_populate_record(NULL::comments, ?::json)
        WHERE NOT EXISTS (SELECT 1 FROM counted WHERE points > ?)
       ON CONFLICT (submission_id) DO NOTHING
       RETURNING id),
     mailed AS (${mail.sql})
     SELECT (SELECT id::text FROM stored) AS id, (SELECT coalesce(json_agg(counted), '[]') FROM counted) AS counts`,
      [...counting.bindings, ...columns, ...columns, JSON.stringify(comment), flood.allowed, ...mail.bindings],
    )
    .options({ name: 'posting-store' });
  const stored = result.rows[0]!;
  return { counts: stored.counts.map(rateLimitCountOf), stored: stored.id !== null };
}
