import type { Database } from '../platform/db/connection.js';

/**
 * The emails behind some comments, by comment id, for drawing their avatars.
 * Server-side only: an email never reaches a page, only a keyed hash of it.
 */
export async function listCommentEmails(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db('comments')
    .select<Array<{ id: string; author_email: string }>>('id', 'author_email')
    .whereRaw('id = ANY(?::bigint[])', [[...ids]]);
  return new Map(rows.map((row) => [String(row.id), row.author_email]));
}
