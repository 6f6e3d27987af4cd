import type { Database } from '../platform/db/connection.js';

/** Which articles (and so which comments) belong to an account: what an author's own-only grant is checked against. */

/** The article's author account; undefined when there is no such article (its handler answers 404). */
export async function findArticleAuthorId(db: Database, articleId: string): Promise<string | null | undefined> {
  const row = await db('articles').where({ id: articleId }).first<{ author_id: string | null } | undefined>('author_id');
  return row === undefined ? undefined : row.author_id === null ? null : String(row.author_id);
}

/** Of these comments, the ids of those on an article that is not `ownerId`'s (missing comments are left to the handler). */
export async function findCommentsNotOwnedBy(db: Database, commentIds: readonly string[], ownerId: string): Promise<string[]> {
  if (commentIds.length === 0) return [];
  const rows = await db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .whereIn('c.id', commentIds)
    .whereRaw('a.author_id IS DISTINCT FROM ?', [ownerId])
    .select<Array<{ id: string }>>('c.id');
  return rows.map((row) => String(row.id));
}
