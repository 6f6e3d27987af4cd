import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';

const protection = csrfSync({
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof token === 'string' ? token : undefined;
  },
});

/** The synchroniser token for this admin session (made on first use). */
export function csrfToken(req: Request, fresh = false): string {
  return protection.generateToken(req, fresh);
}

/** Every state-changing admin request must carry the session's token in `_csrf`. */
export function verifyCsrf(req: Request, _res: Response, next: NextFunction) {
  if (!protection.isRequestValid(req)) {
    return next(new HttpError(403, 'This form has expired or did not come from this site. Go back, reload the page and try again.'));
  }
  next();
}

/**
 * For the routes the admin's scripts call (live preview, autosave, uploads):
 * the token may come in `X-CSRF-Token` instead, which no other site's page
 * can set. Ordinary forms are read only from their `_csrf` field.
 */
export function verifyCsrfFieldOrHeader(req: Request, res: Response, next: NextFunction) {
  const header = req.get('x-csrf-token');
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (body._csrf === undefined && header !== undefined) req.body = { ...body, _csrf: header };
  verifyCsrf(req, res, next);
}

/**
 * The sign-in form has no session to keep its token in: a session row per
 * anonymous visit to it was unbounded growth. Its token lives in a signed,
 * HttpOnly cookie instead (a double submit: a page on another site can
 * neither read it nor forge its signature), sent only to the sign-in path.
 */
export const LOGIN_CSRF_COOKIE = 'broadsheet_login';
const LOGIN_CSRF_PATH = '/admin/login';

const loginProtection = csrfSync({
  size: 32,
  getTokenFromState: (req) => {
    const token = (req.signedCookies as Record<string, unknown> | undefined)?.[LOGIN_CSRF_COOKIE];
    return typeof token === 'string' ? token : undefined;
  },
  storeTokenInState: (req, token) => {
    (req.signedCookies as Record<string, unknown>)[LOGIN_CSRF_COOKIE] = token;
    const secure = new URL(contextOf(req).config.baseUrl).protocol === 'https:' || req.secure;
    req.res?.cookie(LOGIN_CSRF_COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: LOGIN_CSRF_PATH });
  },
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof token === 'string' ? token : undefined;
  },
});

/** The sign-in form's token: the one its cookie holds, else a new one set in the cookie. */
export function loginCsrfToken(req: Request): string {
  return loginProtection.generateToken(req);
}

/** Whether a sign-in was sent by the form this browser was given. */
export function isLoginRequestValid(req: Request): boolean {
  return loginProtection.isRequestValid(req);
}

/** After sign-in the session's own token takes over. */
export function clearLoginCsrfToken(res: Response): void {
  res.clearCookie(LOGIN_CSRF_COOKIE, { path: LOGIN_CSRF_PATH });
}
