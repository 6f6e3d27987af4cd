import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { articleTag, cachePage, HOME_TAG, SETTINGS_TAG, type RenderedPage } from '../platform/page-cache/index.js';
import {
  countPublishedArticles,
  findArticleById,
  listPublishedArticles,
  nextScheduledPublishing,
  type ArticleRow,
} from './article-queries.js';
import { findComment, listRemovedParents, listVisibleComments } from '../comments/index.js';
import { loadDiscussionSettings } from '../settings/index.js';
import type { PageModels } from '../platform/rendering/models.js';
import { renderPageToString } from '../platform/rendering/render.js';
import { commentLocations } from '../comments/index.js';
import type { DiscussionSettings } from '../settings/index.js';
import { websiteSocialMeta } from './structured-data.js';
import { isKnownCommenter, PENDING_COOKIE } from '../comments/index.js';
import { articlePath, blankFormValues, buildArticlePage, loadPublishedArticle, movedArticleLocation, siteOf } from './article-page.js';
import { listPagesOf, summarizeArticles } from './article-summaries.js';
import { ID_PATTERN, PAGE_NUMBER_PATTERN, SLUG_PATTERN } from '../platform/http/route-patterns.js';
import { DAY_MS } from '../platform/units.js';
import { answerWordpressQuery, isWordpressQuery } from '../moving/index.js';

export const ARTICLES_PER_PAGE = 10;

/** A list's `?page`: absent is the first; anything but a page number names no page. */
export function pageNumber(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'string' || !PAGE_NUMBER_PATTERN.test(value)) {
    throw new HttpError(404, 'There is no such page of articles.');
  }
  return Number(value);
}

/** The footer shows the year: every cached page is redone when it turns. */
const nextNewYear = (nowMs: number) => Date.UTC(new Date(nowMs).getUTCFullYear() + 1, 0, 1);

/**
 * GET / — published articles, newest first; the same for every reader, so
 * cached per page number (?page). `?p` and `?page_id` matter too: they are
 * old WordPress addresses, answered (never cached) by a redirect or a 404.
 */
export async function showHome(req: Request, res: Response) {
  if (isWordpressQuery(req.query)) return answerWordpressQuery(req, res);
  const page = pageNumber(req.query.page);
  await cachePage(req, res, `home:${page}`, async () => {
    const { db, now } = contextOf(req);
    // Read before the list: an article whose time comes in between makes the page expire at once.
    const nextPublish = (await nextScheduledPublishing(db))?.getTime() ?? Infinity;
    return {
      html: await renderPageToString(res, 'articles/home', await homePage(req, page)),
      // Settings too: the dates shown follow the site's time zone.
      tags: [HOME_TAG, SETTINGS_TAG],
      expiresAt: Math.min(nextPublish, nextNewYear(now())),
      formValues: null,
    };
  });
}

/** The article list for one page number; 404 past the last page. */
async function homePage(req: Request, page: number): Promise<PageModels['articles/home']> {
  const { db } = contextOf(req);
  const [total, rows] = await Promise.all([
    countPublishedArticles(db),
    listPublishedArticles(db, ARTICLES_PER_PAGE, (page - 1) * ARTICLES_PER_PAGE),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / ARTICLES_PER_PAGE));
  if (page > pageCount) throw new HttpError(404, 'There is no such page of articles.');
  const site = siteOf(req);
  const { pages, meta } = listPagesOf('/', page, pageCount);
  return {
    meta: {
      title: page === 1 ? 'Broadsheet' : `Broadsheet — page ${page}`,
      ...meta,
      socialMeta: websiteSocialMeta({ name: site.name, url: `${site.baseUrl}/`, description: site.tagline }),
    },
    articles: await summarizeArticles(db, rows),
    pages,
  };
}

/** GET /articles/:slug — the article, approved comments and the reply form. */
export async function showArticle(req: Request, res: Response) {
  await sendArticlePage(req, res, null);
}

/** GET /articles/:slug/comment-page-:page/ — the article with one page of its comments. */
export async function showCommentPage(req: Request, res: Response) {
  const page = String(req.params.page);
  if (!PAGE_NUMBER_PATTERN.test(page)) throw new HttpError(404, 'There is no such page of comments.');
  await sendArticlePage(req, res, Number(page));
}

/** When the page, as rendered now, stops being true with no write at all. */
function articlePageExpiry(article: ArticleRow, settings: DiscussionSettings, nowMs: number): number {
  // areCommentsOpen closes an article's comments once closeAfterDays have passed since publishing.
  const closesAt =
    settings.closeOldArticles && article.comments_open && article.published_at
      ? article.published_at.getTime() + settings.closeAfterDays * DAY_MS + 1
      : Infinity;
  return Math.min(closesAt > nowMs ? closesAt : Infinity, nextNewYear(nowMs));
}

/**
 * The article page. A commenter's (prefilled with their name, showing their
 * held comments) is theirs alone and rendered for each request; everyone
 * else's comes from the page cache. Each comment page, and each reply form
 * (?replytocom, the one query parameter the route declares), is a page of
 * its own; other query parameters are ignored, so they cannot make every
 * request a render.
 */
async function sendArticlePage(req: Request, res: Response, commentPage: number | null) {
  const slug = String(req.params.slug);
  // No article has any other slug (a CHECK says so); PostgreSQL would refuse some (a NUL) with an error.
  if (!SLUG_PATTERN.test(slug)) throw new HttpError(404, 'There is no article at this address.');
  const replyTo = typeof req.query.replytocom === 'string' && ID_PATTERN.test(req.query.replytocom) ? req.query.replytocom : null;
  if (isKnownCommenter(req.cookies ?? {}, req.signedCookies?.[PENDING_COOKIE])) {
    const rendered = await renderArticlePage(req, res, slug, commentPage, replyTo);
    if (rendered) res.set('Cache-Control', 'private, no-cache').status(200).type('html').send(rendered.html);
    return;
  }
  const key = `article:${slug}${commentPage === null ? '' : `:page:${commentPage}`}${replyTo === null ? '' : `:replytocom:${replyTo}`}`;
  await cachePage(req, res, key, async (): Promise<RenderedPage | null> => {
    const rendered = await renderArticlePage(req, res, slug, commentPage, replyTo);
    if (!rendered) return null;
    const { html, model, article, settings } = rendered;
    return {
      html,
      tags: [articleTag(article.id), SETTINGS_TAG],
      expiresAt: articlePageExpiry(article, settings, contextOf(req).now()),
      formValues: model.form.open ? { submissionId: model.form.values.submission_id, stamp: model.form.values.rendered_at } : null,
    };
  });
}

/** Renders the article page (a reply form when `replyTo` names a comment); null when it answered with a redirect instead. */
async function renderArticlePage(req: Request, res: Response, slug: string, commentPage: number | null, replyTo: string | null) {
  const { db } = contextOf(req);
  const [article, settings] = await Promise.all([
    loadPublishedArticle(db, slug).catch(orMoved(req, res, commentPage)),
    loadDiscussionSettings(db),
  ]);
  if (!article) return null;
  if (commentPage !== null && !settings.paginateComments) {
    // Comments are on one page now: an old comment-page link goes to the article.
    res.redirect(301, articlePath(article.slug));
    return null;
  }
  const model = await buildArticlePage(req, db, article, { values: blankFormValues(req), replyToId: replyTo }, { commentPage, settings });
  return { html: await renderPageToString(res, 'articles/article', model), model, article, settings };
}

/**
 * A 404 for an article that is not here, unless the address is one a
 * published article had before its slug changed: then a 301 to the same page
 * at its current address (answered here; the render then answers null).
 */
function orMoved(req: Request, res: Response, commentPage: number | null) {
  return async (error: unknown): Promise<null> => {
    if (!(error instanceof HttpError) || error.status !== 404) throw error;
    const pageSuffix = commentPage === null ? '' : `/comment-page-${commentPage}`;
    const location = await movedArticleLocation(req, String(req.params.slug), (slug) => `${articlePath(slug)}${pageSuffix}`);
    if (!location) throw error;
    res.redirect(301, location);
    return null;
  };
}

/** GET /comments/:id — a permalink: redirects to the comment page holding an approved comment. */
export async function showCommentPermalink(req: Request, res: Response) {
  const { db } = contextOf(req);
  const id = String(req.params.id);
  const comment = ID_PATTERN.test(id) ? await findComment(db, id) : null;
  const article = comment?.status === 'approved' ? await findArticleById(db, comment.article_id) : null;
  if (!comment || !article) throw new HttpError(404, 'There is no comment at this address.');
  const published = await loadPublishedArticle(db, article.slug);
  const [approved, settings] = await Promise.all([listVisibleComments(db, published.id, []), loadDiscussionSettings(db)]);
  const removedParents = await listRemovedParents(db, published.id, approved);
  const location = commentLocations(approved, settings, articlePath(published.slug), undefined, removedParents).get(String(comment.id));
  if (!location) throw new HttpError(404, 'There is no comment at this address.');
  res.redirect(302, location);
}
