import type { Knex } from 'knex';
import type { Database } from '../platform/db/connection.js';
import type { ArticleMove, MovePlan } from './article-status.js';
import type { ArticleStatus } from './article-queries.js';
import { forgetDeletedComments, type DeletedComment } from '../privacy/index.js';

/** Status moves and permanent deletion of one article, each in one transaction over its locked row. */

export interface LockedArticle {
  id: string;
  slug: string;
  title: string;
  status: ArticleStatus;
  published_at: Date | null;
}

export type MoveOutcome =
  | { kind: 'missing' }
  | { kind: 'refused'; article: LockedArticle; message: string }
  | { kind: 'moved'; article: LockedArticle; move: ArticleMove };

const LOCKED_COLUMNS = ['id', 'slug', 'title', 'status', 'published_at'] as const;

async function lockArticle(trx: Knex.Transaction, id: string): Promise<LockedArticle | null> {
  const row = await trx('articles')
    .select(...LOCKED_COLUMNS)
    .where({ id })
    .forUpdate()
    .first<LockedArticle | undefined>();
  return row ? { ...row, id: String(row.id) } : null;
}

/**
 * Locks the article, asks `decide` where it may go from where it is now,
 * and stores that. Every move counts as a save (`version`), so an editor
 * left open on the old state cannot save over the move unawares.
 */
export function moveArticle(db: Database, id: string, at: Date, decide: (article: LockedArticle) => MovePlan): Promise<MoveOutcome> {
  return db.transaction(async (trx) => {
    const article = await lockArticle(trx, id);
    if (!article) return { kind: 'missing' };
    const plan = decide(article);
    if (!plan.ok) return { kind: 'refused', article, message: plan.message };
    await trx('articles')
      .where({ id })
      .update({ ...plan.move, version: trx.raw('version + 1'), updated_at: at });
    return { kind: 'moved', article, move: plan.move };
  });
}

export interface DeletableArticle {
  id: string;
  title: string;
  status: ArticleStatus;
  /** Its comments of every status. */
  comment_count: number;
}

/** The article with its comment count (from the exact, trigger-kept counts), for the confirmation page. */
export async function findDeletableArticle(db: Database, id: string): Promise<DeletableArticle | null> {
  const row = await db('articles as a')
    .select(
      'a.id',
      'a.title',
      'a.status',
      db.raw('(SELECT coalesce(sum(count), 0)::int FROM comment_counts WHERE article_id = a.id) AS comment_count'),
    )
    .where('a.id', id)
    .first<DeletableArticle | undefined>();
  return row ? { ...row, id: String(row.id) } : null;
}

export type DeleteOutcome =
  | { kind: 'missing' }
  | { kind: 'not-in-trash'; article: LockedArticle }
  /** `forgottenMail`: outbox ids of the comments' mail, gone with them; their files go once this commits. */
  | { kind: 'deleted'; article: LockedArticle; comments: number; forgottenMail: string[] };

/**
 * Deletes a trashed article for good, and with it (by the foreign keys'
 * cascade) its comments, their counts, its revisions, tags and former
 * slugs. Each comment's deletion goes in the moderation log first, as a
 * moderator's deletion of it would: the log keeps no key to the comment,
 * so it outlives it. The locked row keeps new comments out meanwhile (a
 * comment's insert waits on its article's key).
 */
export function deleteTrashedArticle(db: Database, id: string, actor: { id: string; name: string }, at: Date): Promise<DeleteOutcome> {
  return db.transaction(async (trx) => {
    const article = await lockArticle(trx, id);
    if (!article) return { kind: 'missing' };
    if (article.status !== 'trash') return { kind: 'not-in-trash', article };
    await trx.raw(
      `INSERT INTO moderation_log (comment_id, actor_id, actor_name, action, from_status, to_status, created_at)
       SELECT id, ?, ?, 'delete', status, NULL, ? FROM comments WHERE article_id = ?`,
      [actor.id, actor.name, at, id],
    );
    const comments = await trx('comments').where({ article_id: id }).select<DeletedComment[]>('id', 'author_email', 'ip');
    const forgottenMail = await forgetDeletedComments(trx, comments);
    await trx('articles').where({ id }).delete();
    return { kind: 'deleted', article, comments: comments.length, forgottenMail };
  });
}
