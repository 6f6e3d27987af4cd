import type { Request, Response } from 'express';
import { Feed } from 'feed';
import { contextOf } from '../platform/context.js';
import { listPublishedArticles, type ArticleRow } from '../articles/index.js';
import { listRemovedParents, listVisibleComments } from '../comments/index.js';
import { listCommentChangeTimes } from './feed-queries.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { commentLocations } from '../comments/index.js';
import { renderCommentText } from '../comments/index.js';
import { renderedBodyOf } from '../articles/index.js';
import { articlePath, loadPublishedArticle, movedArticleLocation, siteOf } from '../articles/index.js';
import { HttpError } from '../platform/http-error.js';

export const ARTICLES_IN_FEED = 20;
const COMMENTS_IN_FEED = 50;
const ATOM = 'application/atom+xml; charset=utf-8';

/** Characters XML 1.0 forbids; a stray one would make a whole feed unreadable. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Plain text as XML may carry it. */
function plain(text: string): string {
  return text.replace(NOT_XML, '');
}

/**
 * Plain text for a text node. The feed library's XML writer reads `&amp;` in
 * a text node as an escape already made and leaves it, so a name typed as
 * `Tom &amp; Jerry` would come out as `Tom & Jerry`; escaping each `&` first
 * keeps what was typed.
 */
function textNode(text: string): string {
  return plain(text).replace(/&/g, '&amp;');
}

/**
 * Atom's `type="html"` text: our plain text (titles, articles, comments are
 * all stored as plain text) escaped, so a reader shows `<b>` as typed.
 */
function asHtml(text: string): string {
  return plain(text).replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export function sendAtom(res: Response, feed: Feed) {
  res.set('Content-Type', ATOM).send(feed.atom1());
}

/** GET /feed.xml — the newest published articles. */
export async function showArticleFeed(req: Request, res: Response) {
  const { db } = contextOf(req);
  const site = siteOf(req);
  const articles = await listPublishedArticles(db, ARTICLES_IN_FEED, 0);
  sendAtom(res, articleFeed(req, articles, { title: site.name, path: '/', feedPath: '/feed.xml' }));
}

export interface ArticleFeedHead {
  title: string;
  /** The page the feed follows, on this site. */
  path: string;
  feedPath: string;
}

/** An Atom feed of `articles` (newest first), each with its summary and whole body. */
export function articleFeed(req: Request, articles: readonly ArticleRow[], head: ArticleFeedHead): Feed {
  const site = siteOf(req);
  const changed = articles.map((article) => {
    const published = article.published_at ?? article.created_at;
    return article.updated_at > published ? article.updated_at : published;
  });
  const feed = new Feed({
    id: `${site.baseUrl}${head.path}`,
    title: textNode(head.title),
    description: site.tagline,
    link: `${site.baseUrl}${head.path}`,
    feedLinks: { atom: `${site.baseUrl}${head.feedPath}` },
    language: 'en',
    updated: changed.reduce<Date | undefined>((latest, date) => (latest && latest > date ? latest : date), undefined) ?? new Date(0),
    generator: site.name,
  });
  articles.forEach((article, index) => {
    const body = renderedBodyOf(article);
    const url = `${site.baseUrl}${articlePath(article.slug)}`;
    feed.addItem({
      id: url,
      link: url,
      title: asHtml(article.title),
      description: asHtml(body.summary),
      content: body.html,
      author: [{ name: textNode(article.author_name) }],
      date: changed[index]!,
      published: article.published_at ?? article.created_at,
    });
  });
  return feed;
}

/** GET /articles/:slug/comments/feed.xml — the article's newest approved comments; never an email. A former slug: 301 to the current feed. */
export async function showCommentFeed(req: Request, res: Response) {
  const { db } = contextOf(req);
  const site = siteOf(req);
  const slug = String(req.params.slug);
  const article = await loadPublishedArticle(db, slug).catch(async (error: unknown) => {
    const moved =
      error instanceof HttpError ? await movedArticleLocation(req, slug, (current) => `${articlePath(current)}/comments/feed.xml`) : null;
    if (!moved) throw error;
    res.redirect(301, moved);
    return null;
  });
  if (!article) return;
  const [approved, settings, changeTimes] = await Promise.all([
    listVisibleComments(db, article.id, []),
    loadDiscussionSettings(db),
    listCommentChangeTimes(db, article.id),
  ]);
  const locations = commentLocations(
    approved,
    settings,
    articlePath(article.slug),
    undefined,
    await listRemovedParents(db, article.id, approved),
  );
  const newest = approved.slice(-COMMENTS_IN_FEED).reverse();
  // Its last visible change: a moderator's edit or a late approval moves it, as it moves the feed's own.
  const changedAt = (comment: (typeof newest)[number]) => changeTimes.get(String(comment.id)) ?? comment.created_at;
  const lastChange = newest.reduce<Date | null>((latest, comment) => {
    const changed = changedAt(comment);
    return latest && latest >= changed ? latest : changed;
  }, null);
  const articleUrl = `${site.baseUrl}${articlePath(article.slug)}`;
  const feed = new Feed({
    id: `${articleUrl}/comments/feed.xml`,
    title: textNode(`Comments on: ${article.title}`),
    description: site.tagline,
    link: articleUrl,
    feedLinks: { atom: `${articleUrl}/comments/feed.xml` },
    language: 'en',
    updated: lastChange ?? article.published_at ?? article.created_at,
    generator: site.name,
  });
  for (const comment of newest) {
    const permanent = `${articleUrl}#comment-${comment.id}`;
    feed.addItem({
      // The id never changes; the link follows the comment to whichever page now holds it.
      id: permanent,
      link: locations.has(comment.id) ? `${site.baseUrl}${locations.get(comment.id)}` : permanent,
      title: asHtml(`By: ${comment.author_name}`),
      content: renderCommentText(comment.body),
      author: [{ name: textNode(comment.author_name) }],
      date: changedAt(comment),
      published: comment.created_at,
    });
  }
  sendAtom(res, feed);
}
