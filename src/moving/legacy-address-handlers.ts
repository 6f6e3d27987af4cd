import type { NextFunction, Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { legacyPathForm } from './disqus-threads.js';
import {
  findArticleByLegacyPath,
  findArticleBySourceId,
  findImportedWordpressComment,
  findPublishedComment,
  type FoundArticle,
} from './legacy-address-queries.js';

/**
 * The addresses an imported WordPress site had, answered with 301 to where
 * the same page is now: `/?p=ID` and `/?page_id=ID` (by the WordPress id),
 * `/YYYY/MM/DD/slug/`, `/YYYY/MM/slug/`, `/slug/`, `/parent/child/` (by the
 * paths the import kept) and `/comments/wp/ID` (a comment's old id, since
 * `#comment-N` never reaches the server). Only to a published article or an
 * approved comment: anything else is the same 404 as any unknown address.
 */

const NOT_HERE = 'There is nothing at this address. It may have moved, or the link may be mistyped.';

const articleLocation = (article: FoundArticle) => `/articles/${article.slug}`;

/** The WordPress post id a home-page request names (`p`, else `page_id`); undefined when it names none. */
function wordpressIdOf(query: Request['query']): unknown {
  return query.p !== undefined ? query.p : query.page_id;
}

/** True when the home page's query is an old WordPress address (`?p=` or `?page_id=`): the home route then calls answerWordpressQuery. */
export function isWordpressQuery(query: Request['query']): boolean {
  return wordpressIdOf(query) !== undefined;
}

/** GET /?p=ID, /?page_id=ID — 301 to the imported article; 404 when there is none (or it is not published). */
export async function answerWordpressQuery(req: Request, res: Response): Promise<void> {
  const id = wordpressIdOf(req.query);
  const article = typeof id === 'string' && ID_PATTERN.test(id) ? await findArticleBySourceId(contextOf(req).db, id) : undefined;
  if (!article || article.status !== 'published') throw new HttpError(404, NOT_HERE);
  res.redirect(301, articleLocation(article));
}

/** GET /comments/wp/:id — 301 to the permalink of the comment imported with that WordPress id, while it is public. */
export async function redirectWordpressComment(req: Request, res: Response) {
  const id = String(req.params.id);
  const { db } = contextOf(req);
  const comment = ID_PATTERN.test(id) ? await findImportedWordpressComment(db, id) : undefined;
  if (!comment || !(await findPublishedComment(db, comment.id))) throw new HttpError(404, 'There is no comment at this address.');
  res.redirect(301, `/comments/${comment.id}`);
}

function decodedPath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/**
 * Last of all the routes (no route of the site answered): a path WordPress
 * served, with or without its trailing slash, 301s to the article now; any
 * other request goes on to the 404 as before.
 */
export async function redirectLegacyPath(req: Request, res: Response, next: NextFunction) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return next();
  const path = decodedPath(req.path);
  if (path === null || path === '/' || path.length > 2000 || path.includes('\0')) return next();
  const article = await findArticleByLegacyPath(contextOf(req).db, legacyPathForm(path));
  if (!article || article.status !== 'published') return next();
  res.redirect(301, articleLocation(article));
}
