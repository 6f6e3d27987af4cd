import type { NextFunction, Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { notYourArticle, ownerScope } from './permissions.js';
import { findArticleAuthorId, findCommentsNotOwnedBy } from './ownership-queries.js';

/**
 * The author's "own articles only": checked before an action on one article
 * or one comment, so a refusal changes nothing. Other roles pass straight on.
 */

/** For /admin/articles/:id…: an author may act only on an article whose author account is theirs. */
export async function requireOwnArticle(req: Request, res: Response, next: NextFunction) {
  const owner = ownerScope(res, 'articles');
  const id = String(req.params.id);
  if (owner !== null && ID_PATTERN.test(id)) {
    const authorId = await findArticleAuthorId(contextOf(req).db, id);
    if (authorId !== undefined && authorId !== owner) throw notYourArticle();
  }
  next();
}

/** For /admin/comments/:id…: an author may act only on comments on their own articles. */
export async function requireOwnComment(req: Request, res: Response, next: NextFunction) {
  const owner = ownerScope(res, 'comments');
  const id = String(req.params.id);
  if (owner !== null && ID_PATTERN.test(id)) await refuseCommentsNotOwned(req, [id], owner);
  next();
}

/** Throws 403 when any of these comments is on an article that is not `owner`'s. */
export async function refuseCommentsNotOwned(req: Request, commentIds: readonly string[], owner: string): Promise<void> {
  const foreign = await findCommentsNotOwnedBy(contextOf(req).db, commentIds, owner);
  if (foreign.length > 0) throw notYourArticle();
}

/** These comments less those on articles that are not `owner`'s. */
export async function keepCommentsOwnedBy(req: Request, commentIds: readonly string[], owner: string): Promise<string[]> {
  const foreign = new Set(await findCommentsNotOwnedBy(contextOf(req).db, commentIds, owner));
  return commentIds.filter((id) => !foreign.has(id));
}
