import type { Database } from '../db/connection.js';

/**
 * The version of what an anonymous reader sees of a published article: its
 * cache_version (moved by triggers on every visible change) and the time
 * the discussion settings last changed. Null when no such article is shown.
 */
export async function readArticlePageVersion(db: Database, slug: string): Promise<string | null> {
  const result = await db.raw<{ rows: Array<{ version: string }> }>(
    `SELECT a.cache_version::text || ':' || coalesce((SELECT max(updated_at)::text FROM settings), '') AS version
       FROM articles a
      WHERE a.slug = ? AND a.status = 'published' AND a.published_at <= now()`,
    [slug],
  );
  return result.rows[0]?.version ?? null;
}
