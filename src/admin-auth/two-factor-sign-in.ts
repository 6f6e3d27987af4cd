import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { clearLoginCsrfToken, isLoginRequestValid, loginCsrfToken } from './csrf.js';
import { findUserById } from './user-queries.js';
import { claimRecoveryCode, claimTimeStep, findTwoFactor } from './two-factor-queries.js';
import { hashRecoveryCode, isTotpShaped, normaliseCode, openSecret, secretSealingKey } from './two-factor-secrets.js';
import { acceptedTimeStep } from './two-factor.js';
import { completeSignIn, recordFailedSignIn } from './sign-in-handlers.js';

/** The second step of sign-in: a TOTP code or a recovery code, after the password. */

export interface LoginTwoFactorPageModel {
  meta: PageMeta;
  csrfToken: string;
  error: string | null;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'admin-auth/admin/login-two-factor': LoginTwoFactorPageModel;
  }
}

const codeForm = z.strictObject({ code: z.string().max(100), _csrf: z.string().max(1000).optional() });

const WRONG_CODE = 'That code is not right. Enter the six digits your app shows now, or one of your recovery codes.';

function renderCodePage(req: Request, res: Response, status: number, error: string | null) {
  return renderPage(res, status, 'admin-auth/admin/login-two-factor', {
    meta: { title: 'Two-factor sign-in' },
    csrfToken: loginCsrfToken(req),
    error,
  });
}

function passwordStepOf(req: Request): { userId: string; until: number; next: string } | null {
  const step = req.session.passwordStep;
  return step && step.until > contextOf(req).now() ? step : null;
}

/** GET /admin/login/two-factor — the code field, once the password step has passed. */
export async function showTwoFactorLogin(req: Request, res: Response) {
  if (!passwordStepOf(req)) return res.redirect(303, '/admin/login');
  await renderCodePage(req, res, 200, null);
}

/** Whether `typed` is a current, unused TOTP code or an unused recovery code of the account; a code counts once. */
async function claimCode(req: Request, userId: string, typed: string): Promise<boolean> {
  const { db, cookieSecret, now } = contextOf(req);
  const row = await findTwoFactor(db, userId);
  if (!row?.secret) return false;
  if (!isTotpShaped(typed)) return claimRecoveryCode(db, userId, hashRecoveryCode(typed));
  const secret = openSecret(secretSealingKey(cookieSecret), row.secret);
  if (!secret) return false;
  const lastStep = row.last_time_step === null ? null : Number(row.last_time_step);
  const step = await acceptedTimeStep(secret, normaliseCode(typed), Math.floor(now() / 1000), lastStep);
  return step !== null && claimTimeStep(db, userId, step);
}

/** POST /admin/login/two-factor — completes sign-in with a code; failures count in the sign-in throttle. */
export async function loginTwoFactor(req: Request, res: Response) {
  if (!isLoginRequestValid(req)) {
    throw new HttpError(403, 'This sign-in form has expired or did not come from this site. Reload the sign-in page and try again.');
  }
  const step = passwordStepOf(req);
  if (!step) return res.redirect(303, '/admin/login?reason=expired');
  const { db, loginThrottle } = contextOf(req);
  const user = await findUserById(db, step.userId);
  if (!user || user.status !== 'active') return res.redirect(303, '/admin/login');
  const ip = req.ip ?? 'unknown';
  const wait = await loginThrottle.secondsToWait(user.username, ip);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    const minutes = Math.ceil(wait / 60);
    return renderCodePage(req, res, 429, `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  }
  const parsed = codeForm.safeParse(req.body ?? {});
  if (!parsed.success || !(await claimCode(req, user.id, parsed.data.code))) {
    await recordFailedSignIn(req, user.username, user.id, 'two-factor code');
    return renderCodePage(req, res, 401, WRONG_CODE);
  }
  const destination = await completeSignIn(req, user, step.next);
  clearLoginCsrfToken(res);
  res.redirect(303, destination);
}
