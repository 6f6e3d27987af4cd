import type { Database } from '../platform/db/connection.js';

/** Finding an article or comment by an address it had on the old site. */

export interface FoundArticle {
  id: string;
  slug: string;
  status: string;
}

/** The article WordPress served at `path` (leading and trailing slash, percent-decoded). */
export async function findArticleByLegacyPath(db: Database, path: string): Promise<FoundArticle | undefined> {
  return db('article_legacy_paths as l')
    .join('articles as a', 'a.id', 'l.article_id')
    .select(db.raw('a.id::text AS id'), 'a.slug', 'a.status')
    .where('l.path', path)
    .first<FoundArticle | undefined>();
}

/** The article with this slug now, or once (its former slugs). */
export async function findArticleBySlugOrFormer(db: Database, slug: string): Promise<FoundArticle | undefined> {
  const current = await db('articles as a')
    .select(db.raw('a.id::text AS id'), 'a.slug', 'a.status')
    .where('a.slug', slug)
    .first<FoundArticle | undefined>();
  if (current) return current;
  return db('article_former_slugs as f')
    .join('articles as a', 'a.id', 'f.article_id')
    .select(db.raw('a.id::text AS id'), 'a.slug', 'a.status')
    .where('f.slug', slug)
    .first<FoundArticle | undefined>();
}

/** The article imported from WordPress post or page `sourceId`: the most recently imported when several sites had one. */
export async function findArticleBySourceId(db: Database, sourceId: string): Promise<FoundArticle | undefined> {
  // Ids grow: the highest is the latest import.
  return db('articles as a')
    .select(db.raw('a.id::text AS id'), 'a.slug', 'a.status')
    .where('a.source_id', sourceId)
    .whereNotNull('a.source_site')
    .orderBy('a.id', 'desc')
    .first<FoundArticle | undefined>();
}

/** The comment imported from WordPress comment `sourceId` (the most recent import when several sites had one). */
export async function findImportedWordpressComment(db: Database, sourceId: string): Promise<{ id: string } | undefined> {
  return db('comments')
    .select(db.raw('id::text AS id'))
    .where({ imported_from: 'wordpress', source_id: sourceId })
    .orderBy('id', 'desc')
    .first<{ id: string } | undefined>();
}

/** The comment when readers may see it: approved, on a published article. */
export async function findPublishedComment(db: Database, id: string): Promise<{ id: string } | undefined> {
  return db('comments as c')
    .join('articles as a', 'a.id', 'c.article_id')
    .select(db.raw('c.id::text AS id'))
    .where({ 'c.id': id, 'c.status': 'approved', 'a.status': 'published' })
    .first<{ id: string } | undefined>();
}
