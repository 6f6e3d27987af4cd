import type { Database } from '../platform/db/connection.js';

export interface TagRow {
  id: string;
  slug: string;
  name: string;
}

export async function findTagBySlug(db: Database, slug: string): Promise<TagRow | null> {
  return (await db<TagRow>('tags').select('id', 'slug', 'name').where({ slug }).first()) ?? null;
}

/** The tags of each article among `articleIds`, by name; an article without any is absent. */
export async function listTagsOfArticles(db: Database, articleIds: readonly string[]): Promise<Map<string, TagRow[]>> {
  const byArticle = new Map<string, TagRow[]>();
  if (articleIds.length === 0) return byArticle;
  const rows = await db('article_tags as at')
    .join('tags as t', 't.id', 'at.tag_id')
    .select<Array<TagRow & { article_id: string }>>('at.article_id', 't.id', 't.slug', 't.name')
    .whereIn('at.article_id', articleIds)
    .orderBy([{ column: 't.name' }, { column: 't.id' }]);
  for (const { article_id: articleId, ...tag } of rows) {
    const key = String(articleId);
    byArticle.set(key, [...(byArticle.get(key) ?? []), { ...tag, id: String(tag.id) }]);
  }
  return byArticle;
}

/** Every tag at least one published article carries, with when the newest of them last changed. */
export async function listPublishedTags(db: Database): Promise<Array<TagRow & { changed_at: Date }>> {
  return db('tags as t')
    .join('article_tags as at', 'at.tag_id', 't.id')
    .join('articles as a', 'a.id', 'at.article_id')
    .where('a.status', 'published')
    .where('a.published_at', '<=', db.fn.now())
    .groupBy('t.id')
    .orderBy('t.slug')
    .select<Array<TagRow & { changed_at: Date }>>(
      't.id',
      't.slug',
      't.name',
      db.raw('max(greatest(a.published_at, a.updated_at)) AS changed_at'),
    );
}
