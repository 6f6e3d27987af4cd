import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import { HttpError } from '../http-error.js';
import { countPublishedArticles, listPublishedArticles } from '../queries/articles.js';
import { randomUUID } from 'node:crypto';
import { readArticlePageVersion } from '../queries/page-versions.js';
import { renderPage, renderPageToString } from '../rendering/render.js';
import { PENDING_COOKIE, REMEMBER_COOKIES } from '../services/commenter-cookies.js';
import { fillPage } from '../services/page-cache.js';
import { stampForm } from '../services/signed-tokens.js';
import { paragraphsOf, readingMinutes } from '../services/reading.js';
import { articlePath, blankFormValues, buildArticlePage, loadPublishedArticle } from './article-page.js';

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
  await renderPage(res, 200, 'home', {
    meta: { title: page === 1 ? 'Broadsheet' : `Broadsheet — page ${page}`, canonicalPath: '/' },
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
  const { db, pageCache, cookieSecret, now } = contextOf(req);
  const slug = String(req.params.slug);
  const cacheKey = `article:${slug}`;
  const version = isAnonymousRead(req) ? await readArticlePageVersion(db, slug) : null;
  const cached = version ? pageCache.get(cacheKey, version) : null;
  if (cached) {
    const page = fillPage(cached, [randomUUID(), stampForm(cookieSecret, now())]);
    res.set('X-Page-Cache', 'hit').type('html').send(page);
    return;
  }

  const article = await loadPublishedArticle(db, slug);
  const replyTo = typeof req.query.replytocom === 'string' ? req.query.replytocom : null;
  const model = await buildArticlePage(req, db, article, {
    values: blankFormValues(req),
    replyToId: replyTo,
  });
  const html = await renderPageToString(res, 'article', model);
  if (version) {
    pageCache.set(cacheKey, version, html, [model.form.values.submission_id, model.form.values.rendered_at]);
    res.set('X-Page-Cache', 'miss');
  }
  res.status(200).type('html').send(html);
}
