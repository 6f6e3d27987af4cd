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

export interface HomePageVersion {
  version: string;
  /** When the next article already set to publish goes up, changing the list without any write. */
  nextPublishAt: Date | null;
}

/**
 * The version of the article list. Every write to an article takes a new
 * cache_version from one sequence, so the highest version and the number of
 * rows change with every insert, update and delete; the number shown adds
 * the articles whose publishing time has come since.
 */
export async function readHomePageVersion(db: Database): Promise<HomePageVersion> {
  const result = await db.raw<{ rows: Array<{ version: string; next_publish_at: Date | null }> }>(
    `SELECT coalesce(max(cache_version), 0)::text || ':' || count(*)
              || ':' || count(*) FILTER (WHERE status = 'published' AND published_at <= now()) AS version,
            min(published_at) FILTER (WHERE status = 'published' AND published_at > now()) AS next_publish_at
       FROM articles`,
  );
  const row = result.rows[0]!;
  return { version: row.version, nextPublishAt: row.next_publish_at };
}
