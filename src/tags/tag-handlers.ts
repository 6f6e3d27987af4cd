import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { SLUG_PATTERN } from '../platform/http/route-patterns.js';
import { renderPage } from '../platform/rendering/render.js';
import type { ArticleListPages, ArticleSummary, PageMeta } from '../platform/rendering/models.js';
import { countPublishedArticles, listPublishedArticles } from '../articles/index.js';
import { ARTICLES_PER_PAGE, pageNumber } from '../articles/index.js';
import { siteOf } from '../articles/index.js';
import { listPagesOf, summarizeArticles } from '../articles/index.js';
import { websiteSocialMeta } from '../articles/index.js';
import { ARTICLES_IN_FEED, articleFeed, sendAtom } from '../feeds/index.js';
import { findTagBySlug, type TagRow } from './tag-queries.js';
import { tagPath } from './tag-links.js';

/**
 * A tag's page and feed: its published articles, newest first. A tag that
 * no published article carries has no page (it would only name drafts).
 * These pages are rendered for each request, not kept in the page cache:
 * a tag's name and its articles change with no write the cache hears of.
 */

export interface TagPageModel {
  meta: PageMeta;
  tag: { name: string; feedPath: string };
  articles: ArticleSummary[];
  pages: ArticleListPages;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'tags/tag': TagPageModel;
  }
}

const NO_TAG = 'There is no tag at this address.';

const feedPathOf = (tag: TagRow) => `${tagPath(tag.slug)}/feed.xml`;

/** The tag at the address with how many published articles carry it; 404 when it has none. */
async function publishedTag(req: Request): Promise<{ tag: TagRow; total: number }> {
  const { db } = contextOf(req);
  const slug = String(req.params.slug);
  const tag = SLUG_PATTERN.test(slug) ? await findTagBySlug(db, slug) : null;
  const total = tag ? await countPublishedArticles(db, { tagId: tag.id }) : 0;
  if (!tag || total === 0) throw new HttpError(404, NO_TAG);
  return { tag, total };
}

/** GET /tags/:slug — the articles with this tag, newest first, ten a page (?page). */
export async function showTag(req: Request, res: Response) {
  const page = pageNumber(req.query.page);
  const { tag, total } = await publishedTag(req);
  const pageCount = Math.ceil(total / ARTICLES_PER_PAGE);
  if (page > pageCount) throw new HttpError(404, 'There is no such page of articles.');
  const { db } = contextOf(req);
  const rows = await listPublishedArticles(db, ARTICLES_PER_PAGE, (page - 1) * ARTICLES_PER_PAGE, { tagId: tag.id });
  const site = siteOf(req);
  const { pages, meta } = listPagesOf(tagPath(tag.slug), page, pageCount);
  const title = `Articles tagged “${tag.name}”${page === 1 ? '' : ` — page ${page}`}`;
  await renderPage(res, 200, 'tags/tag', {
    meta: {
      title,
      description: `${site.name}: the articles tagged ${tag.name}, newest first.`,
      ...meta,
      feeds: [{ title: `${site.name} » ${tag.name} Tag Feed`, href: `${site.baseUrl}${feedPathOf(tag)}` }],
      socialMeta: websiteSocialMeta({ name: site.name, url: `${site.baseUrl}${meta.canonicalPath}`, description: title }),
    },
    tag: { name: tag.name, feedPath: feedPathOf(tag) },
    articles: await summarizeArticles(db, rows),
    pages,
  });
}

/** GET /tags/:slug/feed.xml — Atom: the newest published articles with this tag. */
export async function showTagFeed(req: Request, res: Response) {
  const { tag } = await publishedTag(req);
  const articles = await listPublishedArticles(contextOf(req).db, ARTICLES_IN_FEED, 0, { tagId: tag.id });
  const site = siteOf(req);
  sendAtom(res, articleFeed(req, articles, { title: `${site.name} » ${tag.name}`, path: tagPath(tag.slug), feedPath: feedPathOf(tag) }));
}
