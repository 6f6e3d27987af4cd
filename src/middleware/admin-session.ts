import connectPgSimple from 'connect-pg-simple';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type pg from 'pg';
import { contextOf } from '../context.js';
import { findUserById } from '../queries/users.js';

export const ADMIN_COOKIE = 'broadsheet_admin';
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;

declare module 'express-session' {
  interface SessionData {
    userId: string;
    signedInAt: number;
    lastSeenAt: number;
  }
}

export interface SignedInAdmin {
  id: string;
  username: string;
  displayName: string;
}

/**
 * Sessions exist for admins only: the cookie is scoped to /admin and nothing
 * is stored until someone opens the sign-in form.
 */
export function adminSession(options: { pool: pg.Pool; secret: string; secure: boolean }): RequestHandler {
  const PgStore = connectPgSimple(session);
  const sessions = session({
    name: ADMIN_COOKIE,
    store: new PgStore({ pool: options.pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { path: '/admin', httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: IDLE_TIMEOUT_MS },
  });
  return (req, res, next) => {
    // express-session reads its cookie from the header; when that fails it
    // falls back to cookie-parser's copies, which hold an object for a `j:`
    // (JSON) cookie and then crash it. The header is the only source it needs.
    delete (req.cookies as Record<string, unknown> | undefined)?.[ADMIN_COOKIE];
    delete (req.signedCookies as Record<string, unknown> | undefined)?.[ADMIN_COOKIE];
    sessions(req, res, next);
  };
}

export function startAdminSession(req: Request, userId: string): Promise<void> {
  const now = contextOf(req).now();
  return new Promise((resolve, reject) => {
    req.session.regenerate((error) => {
      if (error) return reject(error);
      req.session.userId = userId;
      req.session.signedInAt = now;
      req.session.lastSeenAt = now;
      resolve();
    });
  });
}

export function endAdminSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
}

function loginRedirect(req: Request, reason?: string): string {
  const next = req.method === 'GET' ? req.originalUrl : '/admin/comments';
  return `/admin/login?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`;
}

/** Lets a signed-in admin through; idle (30 min) and absolute (12 h) limits are enforced here, not only by the cookie. */
export async function requireAdmin(req: Request, res: Response, next: NextFunction) {
  const { db, now } = contextOf(req);
  const state = req.session;
  if (!state?.userId) return res.redirect(303, loginRedirect(req));
  const time = now();
  const expired =
    time - (state.lastSeenAt ?? 0) > IDLE_TIMEOUT_MS || time - (state.signedInAt ?? 0) > ABSOLUTE_LIFETIME_MS;
  const user = expired ? null : await findUserById(db, state.userId);
  if (!user) {
    await endAdminSession(req);
    res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
    return res.redirect(303, loginRedirect(req, 'expired'));
  }
  state.lastSeenAt = time;
  const admin: SignedInAdmin = { id: user.id, username: user.username, displayName: user.display_name };
  res.locals.admin = admin;
  next();
}

export function signedInAdmin(res: Response): SignedInAdmin {
  return res.locals.admin as SignedInAdmin;
}

/**
 * A browser follows a redirect as soon as its headers arrive, which can be
 * before express-session stores the session at the end of the response; the
 * next request would then load (and, rolling, save back) the old one. So an
 * admin redirect waits for the session to be stored.
 */
export function saveSessionBeforeRedirect(req: Request, res: Response, next: NextFunction) {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    // Only a signed-in session is stored early; an anonymous one must not be created by a redirect.
    if (!req.session?.userId) return redirect(...args);
    req.session.save((error) => (error ? next(error) : redirect(...args)));
  }) as typeof res.redirect;
  next();
}
