import type { Database } from '../platform/db/connection.js';

export type ArticleStatus = 'draft' | 'scheduled' | 'published' | 'trash';
export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['draft', 'scheduled', 'published', 'trash'];
export type ArticleFormat = 'markdown' | 'html';

export interface ArticleRow {
  id: string;
  slug: string;
  title: string;
  author_name: string;
  /** The source as written: Markdown, or HTML from an import. */
  body: string;
  body_format: ArticleFormat;
  /** The sanitised HTML made when the source was saved; null only until start-up renders rows older than it. */
  body_html: string | null;
  word_count: number | null;
  /** The excerpt, else the first paragraph, as lists and feeds show it. */
  summary: string | null;
  /** As typed; null or '' when the first paragraph serves. */
  excerpt: string | null;
  /** The account behind author_name, when it has one. */
  author_id: string | null;
  /** Counts saves: the editor's check that nobody saved in between. */
  version: number;
  trashed_at: Date | null;
  figure_caption: string | null;
  /** A bundled file under /images/, an upload under /media/, or null for no image. */
  figure_image: string | null;
  /** The image's alternative text; '' for a decorative image. */
  figure_alt: string | null;
  figure_after_paragraph: number;
  status: ArticleStatus;
  comments_open: boolean;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type NewArticle = Omit<ArticleRow, 'id' | 'created_at' | 'updated_at' | 'version' | 'trashed_at' | 'author_id'> &
  Partial<Pick<ArticleRow, 'author_id'>>;

export interface ArticleSummaryRow extends ArticleRow {
  approved_comment_count: number;
}

export async function findPublishedArticleBySlug(db: Database, slug: string) {
  const row = await db<ArticleRow>('articles').where({ slug, status: 'published' }).where('published_at', '<=', db.fn.now()).first();
  return row ?? null;
}

export async function findArticleById(db: Database, id: string) {
  return (await db<ArticleRow>('articles').where({ id }).first()) ?? null;
}

/** Narrows a list of published articles: to those with one tag. */
export interface ArticleListFilter {
  tagId?: string;
}

/** Published articles, and with a tag only those that carry it. */
function publishedArticles(db: Database, filter: ArticleListFilter) {
  const query = db('articles as a').where('a.status', 'published').where('a.published_at', '<=', db.fn.now());
  if (filter.tagId !== undefined) {
    query.whereExists(db('article_tags as t').select(db.raw('1')).whereRaw('t.article_id = a.id').where('t.tag_id', filter.tagId));
  }
  return query;
}

export async function countPublishedArticles(db: Database, filter: ArticleListFilter = {}): Promise<number> {
  const row = await publishedArticles(db, filter).count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Newest first, with each article's approved-comment count. */
export async function listPublishedArticles(db: Database, limit: number, offset: number, filter: ArticleListFilter = {}) {
  const rows = await publishedArticles(db, filter)
    .select('a.*')
    .select(db.raw(`(SELECT count(*) FROM comments c WHERE c.article_id = a.id AND c.status = 'approved')::int AS approved_comment_count`))
    .orderBy([
      { column: 'a.published_at', order: 'desc' },
      { column: 'a.id', order: 'desc' },
    ])
    .limit(limit)
    .offset(offset);
  return rows as ArticleSummaryRow[];
}

/** The published article that answered to `slug` before its slug changed; null when none did. */
export async function findPublishedArticleByFormerSlug(db: Database, slug: string): Promise<ArticleRow | null> {
  const row = await db('article_former_slugs as f')
    .join('articles as a', 'a.id', 'f.article_id')
    .select<ArticleRow[]>('a.*')
    .where('f.slug', slug)
    .where('a.status', 'published')
    .where('a.published_at', '<=', db.fn.now())
    .first();
  return row ?? null;
}

/**
 * Publishes every scheduled article whose time has come; returns their ids.
 * The UPDATE itself tells every instance's page cache (the articles trigger
 * notifies the article and the home page).
 */
export async function publishDueArticles(db: Database): Promise<string[]> {
  const rows = await db('articles')
    .where({ status: 'scheduled' })
    .where('published_at', '<=', db.fn.now())
    .update({ status: 'published' })
    .returning<Array<{ id: string }>>('id');
  return rows.map((row) => String(row.id));
}

export async function insertArticleIfMissing(db: Database, article: NewArticle): Promise<boolean> {
  const inserted = await db('articles').insert(article).onConflict('slug').ignore().returning('id');
  return inserted.length > 0;
}

/**
 * Gives an article its figure image if it has none yet: databases made
 * before articles named their image keep the demo article's picture.
 */
export async function setFigureImageWhereUnset(db: Database, slug: string, image: string, alt: string): Promise<boolean> {
  const updated = await db('articles')
    .where({ slug })
    .whereNull('figure_image')
    .whereNull('figure_alt')
    .update({ figure_image: image, figure_alt: alt });
  return updated > 0;
}

/** When the next article already set to publish goes up, changing the article list with no write; null when none is. */
export async function nextScheduledPublishing(db: Database): Promise<Date | null> {
  const result = await db.raw<{ rows: Array<{ at: Date | null }> }>(
    `SELECT min(published_at) AS at FROM articles WHERE status = 'published' AND published_at > now()`,
  );
  return result.rows[0]?.at ?? null;
}

/** Articles stored before bodies were rendered at save time. */
export async function listUnrenderedArticles(db: Database) {
  return db<ArticleRow>('articles')
    .whereNull('body_html')
    .orWhereNull('word_count')
    .orWhereNull('summary')
    .select<Array<Pick<ArticleRow, 'id' | 'body' | 'body_format' | 'excerpt'>>>('id', 'body', 'body_format', 'excerpt');
}

/** Only while the source is still the one rendered: a save in between has stored its own rendering. */
export async function storeRenderedBody(
  db: Database,
  article: Pick<ArticleRow, 'id' | 'body'>,
  rendered: { html: string; wordCount: number; summary: string },
): Promise<void> {
  await db('articles')
    .where({ id: article.id, body: article.body })
    .update({ body_html: rendered.html, word_count: rendered.wordCount, summary: rendered.summary });
}
