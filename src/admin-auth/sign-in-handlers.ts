import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { ADMIN_COOKIE, endAdminSession, startAdminSession } from './admin-session.js';
import { HttpError } from '../platform/http-error.js';
import { clearLoginCsrfToken, csrfToken, isLoginRequestValid, loginCsrfToken } from './csrf.js';
import { findUserByUsername, type UserRow } from './user-queries.js';
import { recordAccountEvent } from '../people/index.js';
import { findTwoFactor, markSignedIn } from './two-factor-queries.js';
import { isTwoFactorRequired } from './two-factor-policy.js';
import { renderPage } from '../platform/rendering/render.js';
import { verifyPassword } from './passwords.js';
import { safeNextPath } from './safe-redirect.js';

const WRONG_CREDENTIALS = 'The username or password is incorrect.';

/** How long the password step stays good for the code to follow (two-factor-sign-in.ts). */
export const PASSWORD_STEP_MS = 5 * 60 * 1000;

declare module 'express-session' {
  interface SessionData {
    /** Password step passed for this account, until this time: it opens nothing (requireAdmin reads `userId` only). */
    passwordStep: { userId: string; until: number; next: string };
    /** The site requires two-factor of this account and it has none yet: only the account page and sign-out open. */
    mustEnrolTwoFactor: boolean;
  }
}

/** A failed sign-in: counted by the throttle and written to the account log (the name typed, never the password). */
export async function recordFailedSignIn(req: Request, username: string, userId: string | null, detail: string) {
  const { db, loginThrottle } = contextOf(req);
  const ip = req.ip ?? 'unknown';
  await loginThrottle.recordFailure(username, ip);
  await recordAccountEvent(db, { kind: 'sign-in-failed', actorId: null, subjectId: userId, ip, detail });
}

/** Opens the admin for `user` in a fresh session; returns where to go (the account page while two-factor enrolment is owed). */
export async function completeSignIn(req: Request, user: UserRow, next: string): Promise<string> {
  const { db, loginThrottle } = contextOf(req);
  const ip = req.ip ?? 'unknown';
  await loginThrottle.recordSuccess(user.username, ip);
  const mustEnrol = (await isTwoFactorRequired(db, user.role)) && !(await findTwoFactor(db, user.id))?.enabled_at;
  await startAdminSession(req, user.id);
  if (mustEnrol) req.session.mustEnrolTwoFactor = true;
  csrfToken(req, true);
  await markSignedIn(db, user.id);
  await recordAccountEvent(db, { kind: 'sign-in', actorId: user.id, subjectId: user.id, ip });
  return mustEnrol ? '/admin/account' : next;
}

/** Starts the second step: a fresh session that holds only "password step passed", stored before the redirect. */
function startPasswordStep(req: Request, userId: string, next: string): Promise<void> {
  const until = contextOf(req).now() + PASSWORD_STEP_MS;
  // The session store passes an Error; anything else still rejects with one.
  const asError = (error: unknown) => (error instanceof Error ? error : new Error('The session could not be stored.'));
  return new Promise((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error) return reject(asError(error));
      req.session.passwordStep = { userId, until, next };
      req.session.save((saveError: unknown) => (saveError ? reject(asError(saveError)) : resolve()));
    });
  });
}

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
  // A disabled account gets the same answer as a wrong password: the form tells a guesser nothing.
  if (!(await verifyPassword(user?.password_hash ?? null, password)) || !user || user.status !== 'active') {
    await recordFailedSignIn(
      req,
      username,
      user?.id ?? null,
      user ? (user.status === 'active' ? 'password' : 'disabled account') : username.slice(0, 100),
    );
    return renderLogin(req, res, 401, { username, next, error: WRONG_CREDENTIALS });
  }
  if ((await findTwoFactor(db, user.id))?.enabled_at) {
    await startPasswordStep(req, user.id, safeNextPath(next));
    return res.redirect(303, '/admin/login/two-factor');
  }
  const destination = await completeSignIn(req, user, safeNextPath(next));
  clearLoginCsrfToken(res);
  res.redirect(303, destination);
}

/** POST /admin/logout — destroys the session on the server, then goes home. */
export async function logout(req: Request, res: Response) {
  await endAdminSession(req);
  res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
  res.redirect(303, '/');
}
