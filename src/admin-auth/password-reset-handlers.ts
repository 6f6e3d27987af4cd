import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { findUserByLogin } from './password-reset-queries.js';
import { accountOfResetLink, mailResetLink, resetPasswordWithLink } from './password-reset.js';
import { resetLimits } from './password-reset-limits.js';
import { passwordProblem } from './passwords.js';

/**
 * Password reset for someone signed out: ask for a link by name or address,
 * then choose a password through it. No session is needed or made; a
 * cross-site post is refused by the app's same-origin check.
 */

export interface PasswordResetRequestModel {
  meta: PageMeta;
  login: string;
  /** 'sent': the same answer whether or not the account exists; 'done': the password was set. */
  outcome: 'form' | 'sent' | 'done';
  errors: Partial<Record<'login', string>>;
}

export interface PasswordResetChooseModel {
  meta: PageMeta;
  token: string;
  /** False: the link is used, expired or was never made; the page says so and offers a new one. */
  usable: boolean;
  errors: Partial<Record<'new_password', string>>;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'admin-auth/admin/password-reset': PasswordResetRequestModel;
    'admin-auth/admin/password-reset-choose': PasswordResetChooseModel;
  }
}

const requestForm = z.strictObject({ username: z.string().max(254).optional(), email: z.string().max(254).optional() });
const chooseForm = z.strictObject({ new_password: z.string().max(2048) });

const renderRequest = (res: Response, status: number, state: Omit<PasswordResetRequestModel, 'meta'>) =>
  renderPage(res, status, 'admin-auth/admin/password-reset', { meta: { title: 'Reset your password' }, ...state });

const renderChoose = (res: Response, status: number, state: Omit<PasswordResetChooseModel, 'meta'>) =>
  renderPage(res, status, 'admin-auth/admin/password-reset-choose', { meta: { title: 'Choose a new password' }, ...state });

/** GET /admin/password-reset — the form asking for a link (or, after one, what happens next). */
export async function showPasswordResetRequest(req: Request, res: Response) {
  const outcome = req.query.sent === '1' ? 'sent' : req.query.done === '1' ? 'done' : 'form';
  await renderRequest(res, 200, { login: '', outcome, errors: {} });
}

/** POST /admin/password-reset (`username` or `email`) — mails a link if the account exists and has an address; answers the same either way. */
export async function requestPasswordReset(req: Request, res: Response) {
  const { db, config, now } = contextOf(req);
  const parsed = requestForm.safeParse(req.body ?? {});
  const login = parsed.success ? (parsed.data.username ?? parsed.data.email ?? '').trim() : '';
  if (!login) return renderRequest(res, 422, { login, outcome: 'form', errors: { login: 'Enter your username or e-mail address.' } });
  const wait = await resetLimits(db).takeAddress(req.ip ?? 'unknown');
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    const minutes = Math.ceil(wait / 60);
    return renderRequest(res, 429, {
      login,
      outcome: 'form',
      errors: { login: `Too many requests. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` },
    });
  }
  const user = await findUserByLogin(db, login);
  if (user && (await resetLimits(db).takeAccount(user.username))) await mailResetLink(db, user, config.baseUrl, now());
  res.redirect(303, '/admin/password-reset?sent=1');
}

const tokenOf = (req: Request) => String(req.params.token ?? '');

/** GET /admin/password-reset/:token — the new-password form, or why the link no longer works. */
export async function showPasswordResetChoose(req: Request, res: Response) {
  const { db, now } = contextOf(req);
  const token = tokenOf(req);
  const usable = (await accountOfResetLink(db, token, now())) !== null;
  await renderChoose(res, usable ? 200 : 410, { token, usable, errors: {} });
}

/** POST /admin/password-reset/:token (`new_password`) — sets it (the password rule applies), uses the link up and ends every session of the account. */
export async function choosePasswordWithLink(req: Request, res: Response) {
  const { db, now } = contextOf(req);
  const token = tokenOf(req);
  if ((await accountOfResetLink(db, token, now())) === null) return renderChoose(res, 410, { token, usable: false, errors: {} });
  const parsed = chooseForm.safeParse(req.body ?? {});
  const problem = parsed.success ? passwordProblem(parsed.data.new_password) : 'Enter a new password.';
  if (problem || !parsed.success)
    return renderChoose(res, 422, { token, usable: true, errors: { new_password: problem ?? 'Enter a new password.' } });
  // Checked again inside: a second tab or a race with the same link finds it used.
  if (!(await resetPasswordWithLink(db, token, parsed.data.new_password, now(), req.ip ?? null))) {
    return renderChoose(res, 410, { token, usable: false, errors: {} });
  }
  res.redirect(303, '/admin/password-reset?done=1');
}
