import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from '../platform/http-error.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { ROLE_LABELS, may, mayOnOwnOnly, rolesThatMay, type Permission } from './roles.js';

/** The refusal a forbidden action answers with: 403, naming the roles that may. */
export function forbidden(permission: Permission): HttpError {
  const roles = rolesThatMay(permission).map((role) => ROLE_LABELS[role]);
  const needed = roles.length === 1 ? `the ${roles[0]} role` : `one of these roles: ${roles.join(', ')}`;
  return new HttpError(403, `This needs ${needed}. Your role does not allow it, and nothing was changed.`);
}

/** The refusal for an author acting on someone else's article or its comments. */
export function notYourArticle(): HttpError {
  return new HttpError(
    403,
    'Authors may only work on their own articles and the comments on them. This needs the Editor or Administrator role; nothing was changed.',
  );
}

/** Lets through an admin whose role may use `permission` (after requireAdmin); anyone else gets 403. */
export function requirePermission(permission: Permission): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (!may(signedInAdmin(res).role, permission)) throw forbidden(permission);
    next();
  };
}

/**
 * The account whose articles a request is limited to: the signed-in
 * author's id for an own-only grant, null when the role reaches every article.
 */
export function ownerScope(res: Response, permission: Permission): string | null {
  const admin = signedInAdmin(res);
  return mayOnOwnOnly(admin.role, permission) ? admin.id : null;
}
