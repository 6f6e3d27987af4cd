import connectPgSimple from 'connect-pg-simple';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { callbackify } from 'node:util';
import type pg from 'pg';
import { contextOf } from '../platform/context.js';
import { findSessionWithAdmin } from './session-queries.js';
import { deleteExpiredRateLimits } from '../platform/db/rate-limits.js';
import { findUserById, type Role } from './user-queries.js';
import { permissionsOf } from '../people/index.js';

export const ADMIN_COOKIE = 'broadsheet_admin';
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** A visit is written to the session once the last one written is this old; see requireAdmin. */
export const VISIT_RECORD_INTERVAL_MS = 60 * 1000;

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
  role: Role;
}

/** The signed-in admin of an account row; a disabled account signs in as no one (read on every request, so on every instance). */
function adminOfAccount(
  user: { id: string; username: string; display_name: string; role: Role; status: string } | null,
): SignedInAdmin | null {
  if (!user || user.status !== 'active') return null;
  return { id: user.id, username: user.username, displayName: user.display_name, role: user.role };
}

const PgStore = connectPgSimple(session);

/** The session store's callbacks pass an Error; anything else is wrapped so a rejection always carries one. */
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** The admin read with a request's session: whose session it was then, and that account (null: gone). */
interface AdminOfSession {
  userId: string | undefined;
  admin: SignedInAdmin | null;
}

const adminsOfSessions = new WeakMap<Request, AdminOfSession>();
const READ_ADMIN = Symbol('the admin read with the session');
type ReadSession = session.SessionData & { [READ_ADMIN]?: SignedInAdmin | null };

/**
 * connect-pg-simple, changed where every admin page paid for it:
 * - a session is read with its admin in one query, which requireAdmin uses
 *   instead of a query of its own (it was a second round trip in a row);
 * - a signed-in session's row is written whenever requireAdmin records a
 *   visit, which renews its expiry, and not touched on the requests between
 *   (a write per page view). The sign-in form's anonymous session is still
 *   touched;
 * - its periodic sweep of expired sessions also deletes expired rate-limit
 *   counts, which anonymous requests create and nothing else removes.
 */
export class AdminSessionStore extends PgStore {
  readonly #pool: pg.Pool;
  readonly #read = callbackify((sid: string) => this.#readSession(sid));

  constructor(options: connectPgSimple.PGStoreOptions & { pool: pg.Pool }) {
    super(options);
    this.#pool = options.pool;
  }

  async #readSession(sid: string): Promise<ReadSession | null> {
    const found = await findSessionWithAdmin(this.#pool, sid, Math.ceil(Date.now() / 1000));
    if (!found) return null;
    let sess: ReadSession;
    try {
      sess = (typeof found.sess === 'string' ? JSON.parse(found.sess) : found.sess) as ReadSession;
    } catch {
      // As connect-pg-simple does with a row it cannot read.
      await new Promise<void>((resolve, reject) => this.destroy(sid, (error: unknown) => (error ? reject(asError(error)) : resolve())));
      return null;
    }
    sess[READ_ADMIN] = adminOfAccount(found.admin);
    return sess;
  }

  override get(sid: string, callback: (error: unknown, sess?: session.SessionData | null) => void): void {
    this.#read(sid, callback);
  }

  /** Called with each session get() read: the admin goes to the request, not into the session (a symbol key is never stored). */
  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    const read = sess as ReadSession;
    if (READ_ADMIN in read) {
      adminsOfSessions.set(req, { userId: read.userId, admin: read[READ_ADMIN] ?? null });
      delete read[READ_ADMIN];
    }
    return super.createSession(req, sess);
  }

  override pruneSessions(callback?: (error: Error) => void): void {
    deleteExpiredRateLimits(this.#pool, Date.now()).then(
      () => super.pruneSessions(callback),
      // A failed sweep is tried again at the next one; the sessions' own sweep still runs.
      () => super.pruneSessions(callback),
    );
  }

  override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
    if (sess.userId) return callback?.();
    super.touch(sid, sess, callback);
  }
}

/**
 * Sessions exist for admins only: the cookie is scoped to /admin and nothing
 * is stored until someone opens the sign-in form.
 */
export function adminSession(options: { pool: pg.Pool; secret: string; secure: boolean | 'auto' }): RequestHandler {
  const sessions = session({
    name: ADMIN_COOKIE,
    store: new AdminSessionStore({ pool: options.pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
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
    req.session.regenerate((error: unknown) => {
      if (error) return reject(asError(error));
      req.session.userId = userId;
      req.session.signedInAt = now;
      req.session.lastSeenAt = now;
      resolve();
    });
  });
}

export function endAdminSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((error: unknown) => (error ? reject(asError(error)) : resolve())));
}

function loginRedirect(req: Request, reason?: string): string {
  const next = req.method === 'GET' ? req.originalUrl : '/admin/comments';
  return `/admin/login?next=${encodeURIComponent(next)}${reason ? `&reason=${reason}` : ''}`;
}

/** The session's admin as read with it, if it still belongs to that user; else read now. Null: the account is gone or disabled. */
async function currentAdmin(req: Request, userId: string): Promise<SignedInAdmin | null> {
  const read = adminsOfSessions.get(req);
  if (read && read.userId === userId) return read.admin;
  return adminOfAccount(await findUserById(contextOf(req).db, userId));
}

/** Whether a session has passed its idle or absolute limit at `time`. */
function hasExpired(state: Partial<session.SessionData>, time: number): boolean {
  return time - (state.lastSeenAt ?? 0) > IDLE_TIMEOUT_MS || time - (state.signedInAt ?? 0) > ABSOLUTE_LIFETIME_MS;
}

/**
 * The admin signed in on this request, changing nothing: for pages that
 * only dress differently for an admin (error pages under /admin, which may
 * come before or without requireAdmin).
 */
export async function signedInAdminOf(req: Request, res: Response): Promise<SignedInAdmin | null> {
  const known = res.locals.admin as SignedInAdmin | undefined;
  if (known) return known;
  const state = req.session;
  if (!state?.userId || hasExpired(state, contextOf(req).now())) return null;
  const admin = await currentAdmin(req, state.userId);
  // For the admin layout of such a page: its navigation by role.
  if (admin) res.locals.adminPermissions = permissionsOf(admin.role);
  return admin;
}

/** Lets a signed-in admin through; idle (30 min) and absolute (12 h) limits are enforced here, not only by the cookie. */
export async function requireAdmin(req: Request, res: Response, next: NextFunction) {
  const { now } = contextOf(req);
  const state = req.session;
  if (!state?.userId) return res.redirect(303, loginRedirect(req));
  const time = now();
  const sinceSeen = time - (state.lastSeenAt ?? 0);
  const admin = hasExpired(state, time) ? null : await currentAdmin(req, state.userId);
  if (!admin) {
    await endAdminSession(req);
    res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
    return res.redirect(303, loginRedirect(req, 'expired'));
  }
  // Recording every visit made every page view a session write. Recorded at
  // most once a minute, a session ends 29 to 30 idle minutes after the last
  // request: never later than before.
  if (sinceSeen >= VISIT_RECORD_INTERVAL_MS) state.lastSeenAt = time;
  res.locals.admin = admin;
  // The admin layout's navigation offers only what the role may use.
  res.locals.adminPermissions = permissionsOf(admin.role);
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
  res.redirect = (...args: unknown[]) => {
    // Only a signed-in session is stored early; an anonymous one must not be created by a redirect.
    if (!req.session?.userId) return redirect(...args);
    req.session.save((error) => (error ? next(error) : redirect(...args)));
  };
  next();
}
