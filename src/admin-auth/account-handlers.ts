import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { signedInAdmin } from './admin-session.js';
import { deleteOtherSessions, listActiveSessions } from './session-queries.js';
import { findUserById, updateDisplayName, updatePasswordHash, type UserRow } from './user-queries.js';
import { updateUserEmail } from './password-reset-queries.js';
import { renderPage } from '../platform/rendering/render.js';
import type { FlashModel } from '../moderation/index.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { displayNameProblem } from './account-names.js';
import { emailProblem } from './account-emails.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { deviceLabel } from './session-devices.js';
import { twoFactorSection, type TwoFactorSectionModel } from './two-factor-section.js';
import { recordAccountEvent } from '../people/index.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/index.js';

/** One's own account: the display name readers see, the e-mail address, the password, sessions and two-factor sign-in. */

export interface AccountSession {
  device: string;
  ip: string | null;
  lastSeen: Date | null;
  /** The session this page was asked for. */
  current: boolean;
}

export interface AccountPageModel {
  meta: PageMeta;
  username: string;
  displayName: string;
  email: string;
  sessions: AccountSession[];
  twoFactor: TwoFactorSectionModel;
  flash: FlashModel | null;
  /** Field name → message; passwords are never sent back. */
  errors: Partial<Record<'display_name' | 'email' | 'current_password' | 'new_password', string>>;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'admin-auth/admin/account': AccountPageModel;
  }
}

const csrfField = { _csrf: z.string().max(1000) };
/** `email` may be left out by an older form: the address then stays as it is. */
const profileForm = z.strictObject({ display_name: z.string().max(1000), email: z.string().max(1000).optional(), ...csrfField });
const passwordForm = z.strictObject({ current_password: z.string().max(2048), new_password: z.string().max(2048), ...csrfField });

type FormState = Pick<AccountPageModel, 'displayName' | 'email' | 'flash' | 'errors'>;

async function sessionsOf(req: Request, userId: string): Promise<AccountSession[]> {
  const rows = await listActiveSessions(contextOf(req).db, userId, new Date(contextOf(req).now()));
  // This session as it is now: the stored row is written only after this response.
  return rows
    .map(({ sid, sess: stored }) => ({ sid, sess: sid === req.sessionID ? { ...stored, ...req.session } : stored }))
    .map(({ sid, sess }) => ({
      device: deviceLabel(sess.userAgent),
      ip: sess.ip || null,
      lastSeen: typeof sess.lastSeenAt === 'number' ? new Date(sess.lastSeenAt) : null,
      current: sid === req.sessionID,
    }));
}

async function renderAccount(req: Request, res: Response, status: number, user: UserRow, state: FormState) {
  await renderPage(res, status, 'admin-auth/admin/account', {
    meta: { title: 'Your account' },
    username: user.username,
    sessions: await sessionsOf(req, user.id),
    twoFactor: await twoFactorSection(req, res, user),
    ...state,
  });
}

async function ownAccount(req: Request, res: Response): Promise<UserRow> {
  const user = await findUserById(contextOf(req).db, signedInAdmin(res).id);
  if (!user) throw new HttpError(404, 'This account no longer exists.');
  return user;
}

/** GET /admin/account — the account's forms and its sessions (after adminChrome). */
export async function showAccount(req: Request, res: Response) {
  const user = await ownAccount(req, res);
  await renderAccount(req, res, 200, user, { displayName: user.display_name, email: user.email ?? '', flash: takeFlash(req), errors: {} });
}

/**
 * The account page again for a refused two-factor form: `status` (422, or
 * 429 when throttled), the message at its field in the two-factor section.
 */
export async function showAccountRefused(req: Request, res: Response, status: number, errors: TwoFactorSectionModel['errors']) {
  const user = await ownAccount(req, res);
  req.session.twoFactorErrors = errors;
  await loadAdminChrome(req, res);
  await renderAccount(req, res, status, user, { displayName: user.display_name, email: user.email ?? '', flash: null, errors: {} });
}

const typedField = (req: Request, name: string) => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** POST /admin/account — the name site replies and mail are signed with, and the address reset links go to; 422 with what was typed when either cannot be used. */
export async function updateAccount(req: Request, res: Response) {
  const { db } = contextOf(req);
  const user = await ownAccount(req, res);
  const parsed = profileForm.safeParse(req.body ?? {});
  const displayName = typedField(req, 'display_name').trim();
  const keepsEmail = parsed.success && parsed.data.email === undefined;
  const email = keepsEmail ? (user.email ?? '') : typedField(req, 'email').trim();
  const errors: AccountPageModel['errors'] = {};
  const nameProblem = parsed.success ? displayNameProblem(displayName) : 'Enter the name readers will see.';
  if (nameProblem) errors.display_name = nameProblem;
  const addressProblem = email === '' ? null : emailProblem(email);
  if (addressProblem) errors.email = addressProblem;
  if (!errors.display_name && !errors.email && !keepsEmail && !(await updateUserEmail(db, user.id, email || null))) {
    errors.email = 'Another account already uses that e-mail address. Enter a different one.';
  }
  if (errors.display_name || errors.email) {
    await loadAdminChrome(req, res);
    const typed = { displayName: typedField(req, 'display_name'), email: keepsEmail ? email : typedField(req, 'email') };
    return renderAccount(req, res, 422, user, { ...typed, flash: null, errors });
  }
  await updateDisplayName(db, user.id, displayName);
  setFlash(req, 'success', `Saved. Readers now see your replies signed “${displayName}”.`);
  res.redirect(303, '/admin/account');
}

/** POST /admin/account/password — checks the current password (throttled like sign-in), sets the new one and ends every other session. */
export async function changePassword(req: Request, res: Response) {
  const { db, loginThrottle } = contextOf(req);
  const admin = signedInAdmin(res);
  const user = await ownAccount(req, res);
  const parsed = passwordForm.safeParse(req.body ?? {});
  const refuse = async (errors: AccountPageModel['errors']) => {
    await loadAdminChrome(req, res);
    return renderAccount(req, res, 422, user, { displayName: user.display_name, email: user.email ?? '', flash: null, errors });
  };
  if (!parsed.success) return refuse({ current_password: 'Enter your current password and a new one.' });
  const { current_password: current, new_password: next } = parsed.data;
  const ip = req.ip ?? 'unknown';
  const wait = await loginThrottle.secondsToWait(admin.username, ip);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    return refuse({ current_password: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minutes.` });
  }
  if (!(await verifyPassword(user.password_hash, current))) {
    await loginThrottle.recordFailure(admin.username, ip);
    return refuse({ current_password: 'That is not your current password.' });
  }
  const problem = passwordProblem(next);
  if (problem) return refuse({ new_password: problem });
  await updatePasswordHash(db, user.id, await hashPassword(next));
  await deleteOtherSessions(db, user.id, req.sessionID);
  await recordAccountEvent(db, { kind: 'password-changed', actorId: user.id, subjectId: user.id, ip: req.ip ?? null });
  setFlash(req, 'success', 'Your password was changed. Every other session of this account has been signed out.');
  res.redirect(303, '/admin/account');
}

/** POST /admin/account/sessions/sign-out-others — ends every session of this account but this one. */
export async function signOutOtherSessions(req: Request, res: Response) {
  await deleteOtherSessions(contextOf(req).db, signedInAdmin(res).id, req.sessionID);
  setFlash(req, 'success', 'Every other session of this account has been signed out.');
  res.redirect(303, '/admin/account');
}
