import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { renderPageToString } from '../platform/rendering/render.js';
import type { ArticleRow } from './article-queries.js';
import { blankFormValues, buildArticlePage } from './article-page.js';

/**
 * The article page as readers will see it (same template, reading bar and
 * figure), in whatever status the article is, for staff: with a banner
 * saying so, no comment form, and never kept by the page cache or anyone
 * else's cache, nor indexed.
 */
const PREVIEW_NOTES: Record<ArticleRow['status'], string> = {
  draft: 'a draft: readers cannot see this page.',
  scheduled: 'scheduled: readers cannot see this page until it is published.',
  published: 'published: this is the page readers see, without its comments.',
  trash: 'in the trash: readers cannot see this page.',
};

export async function renderArticlePreview(req: Request, res: Response, article: ArticleRow): Promise<void> {
  const { db } = contextOf(req);
  const model = await buildArticlePage(req, db, article, { values: blankFormValues(req) }, { preview: PREVIEW_NOTES[article.status] });
  const html = await renderPageToString(res, 'articles/article', model);
  res.set('Cache-Control', 'no-store').set('X-Robots-Tag', 'noindex, nofollow').status(200).type('html').send(html);
}
