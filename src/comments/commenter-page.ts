import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { freshValues } from '../platform/page-cache/cached-pages.js';
import { listCommentStates, type CommentState } from './comment-queries.js';
import { readArticlePageVersion } from '../platform/page-cache/page-versions.js';
import { commenterKey, parsePendingIds, PENDING_COOKIE, rememberedCommenter } from './commenter-cookies.js';
import { type PageSource } from '../platform/page-cache/page-cache.js';
import { identityPieces, preparePrivatePage } from '../platform/page-cache/page-encoding.js';
import { EDIT_WINDOW_MS } from './self-service.js';

/**
 * A commenter's article page, kept for them alone as WP Super Cache keeps
 * "known commenters'" pages: keyed by everything of theirs the page shows
 * (their own comment ids, what their form is prefilled with), dropped with
 * the article's tags as anonymous pages are, and checked on every hit
 * against their own comments, which change with no notification (their
 * edit, a moderator's decision on a held one).
 */

export interface CommenterPageAddress {
  key: string;
  slug: string;
  ownIds: string[];
}

/** Where this request's page lives among private pages: it reads the cookies as the render does. */
export function commenterPageAddress(req: Request, slug: string, articleKey: string): CommenterPageAddress {
  const ownIds = parsePendingIds(req.signedCookies?.[PENDING_COOKIE]);
  const remembered = rememberedCommenter(req.cookies ?? {});
  return { key: `private:${articleKey}:${commenterKey(ownIds, remembered)}`, slug, ownIds };
}

/** What the article page's render answers: null when it answered itself (a redirect). */
export type ArticleRender = () => Promise<{ html: string; source: Omit<PageSource, 'html'> } | null>;

/**
 * Sends the commenter's page from their private cache when it is current,
 * else renders it (once, however many of their requests arrive together)
 * and keeps it. The ticket and their comments' state are read before the
 * render reads anything, so a change in between is caught on the next hit.
 */
export async function sendCommenterPage(req: Request, res: Response, address: CommenterPageAddress, render: ArticleRender) {
  const { db, pageCache } = contextOf(req);
  if (await servedPrivately(req, res, address)) return;
  const underWay = pageCache.renderUnderWay(address.key);
  if (underWay) {
    await underWay;
    if (await servedPrivately(req, res, address)) return;
  }
  const finish = pageCache.startRender(address.key);
  try {
    const ticket = await pageCache.freshTicket();
    const own = await listCommentStates(db, address.ownIds);
    const rendered = await render();
    if (!rendered) return;
    const { html, source } = rendered;
    const page = preparePrivatePage(
      { html, ...source, expiresAt: Math.min(source.expiresAt, editLinksGoneAt(own, ticket.at)), ownComments: stateOf(own) },
      ticket,
    );
    if (page) pageCache.storePrivate(address.key, page);
    sendPrivatePage(res, html);
  } finally {
    finish();
  }
}

/** As the page has always gone out to a commenter: theirs alone, checked with us before any reuse. */
function sendPrivatePage(res: Response, body: string | Buffer) {
  res.set('Cache-Control', 'private, no-cache');
  res.status(200).type('html').send(body);
}

/**
 * Sends the kept page if it is current; false when there is none. Their own
 * comments are read every time; the article's version only while no
 * listener tells of changes to it.
 */
async function servedPrivately(req: Request, res: Response, address: CommenterPageAddress): Promise<boolean> {
  const context = contextOf(req);
  const { db, pageCache } = context;
  if (!pageCache.peekPrivate(address.key)) return false;
  const listening = pageCache.listening;
  const [current, own] = await Promise.all([
    listening ? pageCache.localWritesHeard() : readArticlePageVersion(db, address.slug),
    listCommentStates(db, address.ownIds),
  ]);
  const page = pageCache.peekPrivate(address.key);
  if (!page || page.ownComments !== stateOf(own)) return false;
  // The cache may have stopped listening while we waited; then only the version check counts.
  if (listening ? !pageCache.listening : current !== page.version) return false;
  sendPrivatePage(res, Buffer.concat(identityPieces(page, freshValues(context, page.gaps))));
  return true;
}

const stateOf = (own: readonly CommentState[]) => own.map((comment) => `${comment.id}:${comment.status}:${comment.changed}`).join(',');

/** When the first "edit" link on the page must go (withinEditWindow stops holding); Infinity when none will. */
function editLinksGoneAt(own: readonly CommentState[], fromMs: number): number {
  let goneAt = Infinity;
  for (const comment of own) {
    const windowEnds = comment.created_at.getTime() + EDIT_WINDOW_MS + 1;
    if (windowEnds > fromMs) goneAt = Math.min(goneAt, windowEnds);
  }
  return goneAt;
}
