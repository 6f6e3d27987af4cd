import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import { HttpError } from '../http-error.js';
import { countPublishedArticles, findArticleById, listPublishedArticles } from '../queries/articles.js';
import { randomUUID } from 'node:crypto';
import { findComment, listVisibleComments } from '../queries/comments.js';
import { readArticlePageVersion } from '../queries/page-versions.js';
import { loadDiscussionSettings } from '../queries/settings.js';
import { renderPage, renderPageToString } from '../rendering/render.js';
import { commentLocations } from '../services/comment-pages.js';
import { PENDING_COOKIE, REMEMBER_COOKIES } from '../services/commenter-cookies.js';
import { fillPage } from '../services/page-cache.js';
import { stampForm } from '../services/signed-tokens.js';
import { paragraphsOf, readingMinutes } from '../services/reading.js';
import { websiteSocialMeta } from '../services/structured-data.js';
import { articlePath, blankFormValues, buildArticlePage, loadPublishedArticle, siteOf } from './article-page.js';

const ARTICLES_PER_PAGE = 10;

function pageNumber(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'string' || !/^[1-9]\d{0,5}$/.test(value)) {
    throw new HttpError(404, 'There is no such page of articles.');
  }
  return Number(value);
}

/** GET / — published articles, newest first. */
export async function showHome(req: Request, res: Response) {
  const { db } = contextOf(req);
  const page = pageNumber(req.query.page);
  const [total, rows] = await Promise.all([
    countPublishedArticles(db),
    listPublishedArticles(db, ARTICLES_PER_PAGE, (page - 1) * ARTICLES_PER_PAGE),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / ARTICLES_PER_PAGE));
  if (page > pageCount) throw new HttpError(404, 'There is no such page of articles.');
  const site = siteOf(req);
  await renderPage(res, 200, 'home', {
    meta: {
      title: page === 1 ? 'Broadsheet' : `Broadsheet — page ${page}`,
      canonicalPath: '/',
      socialMeta: websiteSocialMeta({ name: site.name, url: `${site.baseUrl}/`, description: site.tagline }),
    },
    articles: rows.map((row) => ({
      path: articlePath(row.slug),
      title: row.title,
      authorName: row.author_name,
      publishedAt: row.published_at ?? row.created_at,
      excerpt: paragraphsOf(row.body)[0] ?? '',
      readingMinutes: readingMinutes(row.body),
      approvedCommentCount: row.approved_comment_count,
    })),
    page,
    pageCount,
  });
}

/**
 * A reader with no commenter cookies and no query sees the same page as every
 * other such reader, so that page can be served from the page cache.
 */
function isAnonymousRead(req: Request): boolean {
  if (Object.keys(req.query).length > 0) return false;
  const cookies = Object.keys({ ...req.cookies, ...req.signedCookies });
  return !cookies.some((name) => name === PENDING_COOKIE || Object.values(REMEMBER_COOKIES).includes(name as never));
}

/** GET /articles/:slug — the article, approved comments and the reply form. */
export async function showArticle(req: Request, res: Response) {
  await sendArticlePage(req, res, null);
}

/** GET /articles/:slug/comment-page-:page/ — the article with one page of its comments. */
export async function showCommentPage(req: Request, res: Response) {
  const page = String(req.params.page);
  if (!/^[1-9]\d{0,5}$/.test(page)) throw new HttpError(404, 'There is no such page of comments.');
  await sendArticlePage(req, res, Number(page));
}

/**
 * The article page, from the page cache when the reader is anonymous and the
 * cached copy is current. Each comment page is cached under its own key.
 */
async function sendArticlePage(req: Request, res: Response, commentPage: number | null) {
  const { db, pageCache, cookieSecret, now } = contextOf(req);
  const slug = String(req.params.slug);
  const cacheKey = commentPage === null ? `article:${slug}` : `article:${slug}:page:${commentPage}`;
  const version = isAnonymousRead(req) ? await readArticlePageVersion(db, slug) : null;
  const cached = version ? pageCache.get(cacheKey, version) : null;
  if (cached) {
    const page = fillPage(cached, [randomUUID(), stampForm(cookieSecret, now())]);
    res.set('X-Page-Cache', 'hit').type('html').send(page);
    return;
  }

  const [article, settings] = await Promise.all([loadPublishedArticle(db, slug), loadDiscussionSettings(db)]);
  if (commentPage !== null && !settings.paginateComments) {
    // Comments are on one page now: an old comment-page link goes to the article.
    res.redirect(301, articlePath(article.slug));
    return;
  }
  const replyTo = typeof req.query.replytocom === 'string' ? req.query.replytocom : null;
  const model = await buildArticlePage(
    req,
    db,
    article,
    { values: blankFormValues(req), replyToId: replyTo },
    { commentPage, settings },
  );
  const html = await renderPageToString(res, 'article', model);
  if (version) {
    pageCache.set(cacheKey, version, html, [model.form.values.submission_id, model.form.values.rendered_at]);
    res.set('X-Page-Cache', 'miss');
  }
  res.status(200).type('html').send(html);
}

/** GET /comments/:id — a permalink: redirects to the comment page holding an approved comment. */
export async function showCommentPermalink(req: Request, res: Response) {
  const { db } = contextOf(req);
  const id = String(req.params.id);
  const comment = /^[1-9]\d{0,17}$/.test(id) ? await findComment(db, id) : null;
  const article = comment?.status === 'approved' ? await findArticleById(db, comment.article_id) : null;
  if (!comment || !article) throw new HttpError(404, 'There is no comment at this address.');
  const published = await loadPublishedArticle(db, article.slug);
  const [approved, settings] = await Promise.all([listVisibleComments(db, published.id, []), loadDiscussionSettings(db)]);
  const location = commentLocations(approved, settings, articlePath(published.slug)).get(String(comment.id));
  if (!location) throw new HttpError(404, 'There is no comment at this address.');
  res.redirect(302, location);
}
