import type { Database } from '../platform/db/connection.js';
import type { ArticleFormat, ArticleStatus } from '../articles/index.js';

/** The reads of a WordPress export: pages of rows by key, so any size streams out in bounded memory. */

export interface ExportUserRow {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
}

export interface ExportArticleRow {
  id: string;
  slug: string;
  title: string;
  author_name: string;
  author_id: string | null;
  body: string;
  body_format: ArticleFormat;
  body_html: string | null;
  excerpt: string | null;
  status: ArticleStatus;
  comments_open: boolean;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  figure_image: string | null;
  figure_alt: string | null;
  figure_caption: string | null;
  figure_after_paragraph: number;
}

export interface ExportTagRow {
  id: string;
  slug: string;
  name: string;
}

export interface ExportCommentRow {
  id: string;
  article_id: string;
  parent_id: string | null;
  status: 'approved' | 'pending' | 'spam' | 'trash';
  author_name: string;
  author_email: string;
  author_url: string;
  ip: string | null;
  body: string;
  created_at: Date;
  user_id: string | null;
  is_site_reply: boolean;
}

export async function listUsers(db: Database): Promise<ExportUserRow[]> {
  return db('users').select('id', 'username', 'display_name', 'email').orderBy('id');
}

/** Every name articles are signed with that no account stands behind (or that differs from its account's name). */
export async function listOtherAuthorNames(db: Database): Promise<string[]> {
  const rows = await db('articles as a')
    .leftJoin('users as u', 'u.id', 'a.author_id')
    .whereRaw('u.id IS NULL OR u.display_name <> a.author_name')
    .distinct('a.author_name')
    .orderBy('a.author_name');
  return rows.map((row: { author_name: string }) => row.author_name);
}

export async function listTags(db: Database): Promise<ExportTagRow[]> {
  return db('tags').select('id', 'slug', 'name').orderBy('id');
}

export async function countExportRows(db: Database): Promise<{ articles: number; comments: number }> {
  const articles = await db('articles').count<{ n: string }[]>({ n: '*' }).first();
  const comments = await db('comments').count<{ n: string }[]>({ n: '*' }).first();
  return { articles: Number(articles?.n ?? 0), comments: Number(comments?.n ?? 0) };
}

/** The next `limit` articles after id `afterId`, in id order. */
export async function articlesAfter(db: Database, afterId: string, limit: number): Promise<ExportArticleRow[]> {
  return db('articles')
    .select(
      'id',
      'slug',
      'title',
      'author_name',
      'author_id',
      'body',
      'body_format',
      'body_html',
      'excerpt',
      'status',
      'comments_open',
      'published_at',
      'created_at',
      'updated_at',
      'figure_image',
      'figure_alt',
      'figure_caption',
      'figure_after_paragraph',
    )
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit);
}

/** The tags of these articles, by article id. */
export async function tagsOfArticles(db: Database, articleIds: string[]): Promise<Map<string, ExportTagRow[]>> {
  const rows = await db('article_tags as at')
    .join('tags as t', 't.id', 'at.tag_id')
    .whereIn('at.article_id', articleIds)
    .select<Array<ExportTagRow & { article_id: string }>>('at.article_id', 't.id', 't.slug', 't.name')
    .orderBy(['at.article_id', 't.name']);
  const byArticle = new Map<string, ExportTagRow[]>();
  for (const { article_id, ...tag } of rows) byArticle.set(article_id, [...(byArticle.get(article_id) ?? []), tag]);
  return byArticle;
}

const COMMENT_CURSOR = 'broadsheet_export_comments';

/**
 * Every comment, by article and then id, through a cursor of the export's
 * transaction: PostgreSQL sorts once and hands them over a page at a time.
 */
export async function openCommentCursor(trx: Database): Promise<void> {
  await trx.raw(
    `DECLARE ${COMMENT_CURSOR} NO SCROLL CURSOR FOR
       SELECT id, article_id, parent_id, status, author_name, author_email, author_url, host(ip) AS ip, body, created_at,
              user_id, is_site_reply
         FROM comments
        ORDER BY article_id, id`,
  );
}

export async function fetchComments(trx: Database, count: number): Promise<ExportCommentRow[]> {
  const result = await trx.raw<{ rows: ExportCommentRow[] }>(`FETCH FORWARD ${Math.trunc(count)} FROM ${COMMENT_CURSOR}`);
  return result.rows;
}

/**
 * The export reads one snapshot for as long as the download takes: no
 * statement limit on the sort, and a slow reader may pause a while.
 */
export async function allowLongRead(trx: Database): Promise<void> {
  await trx.raw("SET LOCAL statement_timeout = '10min'");
  await trx.raw("SET LOCAL idle_in_transaction_session_timeout = '10min'");
}
