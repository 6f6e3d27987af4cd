import type { Database } from '../platform/db/connection.js';
import { lookUpMedia, mediaUrlsIn } from '../media/index.js';
import { prepareArticleBody, type PreparedBody } from './article-body.js';
import { listUnrenderedArticles, storeRenderedBody, type ArticleRow } from './article-queries.js';

type StoredBody = Pick<ArticleRow, 'body' | 'body_format' | 'excerpt' | 'body_html' | 'word_count' | 'summary'>;

/** The body as a save stores it: uploaded images get their sizes and narrower copies. */
export async function renderBodyForSaving(
  db: Database,
  source: string,
  format: ArticleRow['body_format'],
  excerpt: string | null,
): Promise<PreparedBody> {
  return prepareArticleBody(source, format, excerpt, await lookUpMedia(db, mediaUrlsIn(source)));
}

/** The body as saved; made now only for a row stored before bodies were rendered at save time. */
export function renderedBodyOf(article: StoredBody): PreparedBody {
  if (article.body_html !== null && article.word_count !== null && article.summary !== null) {
    return { html: article.body_html, wordCount: article.word_count, summary: article.summary };
  }
  return prepareArticleBody(article.body, article.body_format, article.excerpt);
}

/**
 * Renders and stores the bodies of articles saved before bodies were made at
 * save time (a migration cannot: it never runs application code). Run at
 * start-up; touches nothing once every body is rendered.
 */
export async function renderUnrenderedBodies(db: Database): Promise<number> {
  const rows = await listUnrenderedArticles(db);
  for (const row of rows) await storeRenderedBody(db, row, await renderBodyForSaving(db, row.body, row.body_format, row.excerpt));
  return rows.length;
}
