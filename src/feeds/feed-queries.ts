import type { Database } from '../platform/db/connection.js';

/**
 * When each approved comment of an article last changed as a reader sees
 * it: written, approved (a late approval too) or edited by a moderator.
 * updated_at moves with every edit and status change, approved_at with the
 * approval; the latest of the three is the entry's Atom `updated`.
 */
export async function listCommentChangeTimes(db: Database, articleId: string): Promise<Map<string, Date>> {
  const rows = await db('comments')
    .select<Array<{ id: string; changed_at: Date }>>('id', db.raw('greatest(created_at, approved_at, updated_at) AS changed_at'))
    .where({ article_id: articleId, status: 'approved' });
  return new Map(rows.map((row) => [String(row.id), row.changed_at]));
}
