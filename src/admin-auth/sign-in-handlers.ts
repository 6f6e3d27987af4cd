import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { ADMIN_COOKIE, endAdminSession, startAdminSession } from './admin-session.js';
import { HttpError } from '../platform/http-error.js';
import { clearLoginCsrfToken, csrfToken, isLoginRequestValid, loginCsrfToken } from './csrf.js';
import { findUserByUsername } from './user-queries.js';
import { renderPage } from '../platform/rendering/render.js';
import { verifyPassword } from './passwords.js';
import { safeNextPath } from './safe-redirect.js';

const WRONG_CREDENTIALS = 'The username or password is incorrect.';

const loginForm = z.strictObject({
  username: z.string().max(100),
  password: z.string().max(1024),
  // Checked by safeNextPath, which sends anything unusable to the queue: a bad next never fails a sign-in.
  next: z.unknown().optional(),
  _csrf: z.string().max(1000).optional(),
});

function renderLogin(
  req: Request,
  res: Response,
  status: number,
  state: { username?: string; next?: unknown; error?: string; notice?: string },
) {
  return renderPage(res, status, 'admin-auth/admin/login', {
    meta: { title: 'Sign in' },
    username: state.username ?? '',
    next: safeNextPath(state.next),
    error: state.error ?? null,
    notice: state.notice ?? null,
    csrfToken: loginCsrfToken(req),
  });
}

/** GET /admin/login — the sign-in form. */
export async function showLogin(req: Request, res: Response) {
  const next = typeof req.query.next === 'string' ? req.query.next : undefined;
  if (req.session.userId) return res.redirect(303, safeNextPath(next));
  const notice = req.query.reason === 'expired' ? 'Your session has ended. Please sign in again.' : undefined;
  await renderLogin(req, res, 200, { next, notice });
}

/** POST /admin/login — checks the form's token and the password (throttled), then starts a fresh session: the first one this browser gets. */
export async function login(req: Request, res: Response) {
  if (!isLoginRequestValid(req)) {
    throw new HttpError(403, 'This sign-in form has expired or did not come from this site. Reload the sign-in page and try again.');
  }
  const parsed = loginForm.safeParse(req.body ?? {});
  if (!parsed.success) return renderLogin(req, res, 401, { error: WRONG_CREDENTIALS });
  const { username, password, next } = parsed.data;
  const { db, loginThrottle } = contextOf(req);
  const ip = req.ip ?? 'unknown';

  const wait = await loginThrottle.secondsToWait(username, ip);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    const minutes = Math.ceil(wait / 60);
    return renderLogin(req, res, 429, {
      username,
      next,
      error: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    });
  }
  const user = await findUserByUsername(db, username);
  if (!(await verifyPassword(user?.password_hash ?? null, password)) || !user) {
    await loginThrottle.recordFailure(username, ip);
    return renderLogin(req, res, 401, { username, next, error: WRONG_CREDENTIALS });
  }
  await loginThrottle.recordSuccess(username, ip);
  await startAdminSession(req, user.id);
  csrfToken(req, true);
  clearLoginCsrfToken(res);
  res.redirect(303, safeNextPath(next));
}

/** POST /admin/logout — destroys the session on the server, then goes home. */
export async function logout(req: Request, res: Response) {
  await endAdminSession(req);
  res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
  res.redirect(303, '/');
}
