import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { signedInAdmin } from './admin-session.js';
import { deleteOtherSessions } from './session-queries.js';
import { findUserById, updateDisplayName, updatePasswordHash } from './user-queries.js';
import { renderPage } from '../platform/rendering/render.js';
import type { FlashModel } from '../moderation/admin-models.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { displayNameProblem } from './account-names.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/admin-chrome.js';

/** One's own account: the display name readers see, and the password. */

export interface AccountPageModel {
  meta: PageMeta;
  username: string;
  displayName: string;
  flash: FlashModel | null;
  /** Field name → message; passwords are never sent back. */
  errors: Partial<Record<'display_name' | 'current_password' | 'new_password', string>>;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'admin-auth/admin/account': AccountPageModel;
  }
}

const csrfField = { _csrf: z.string().max(1000) };
const displayNameForm = z.strictObject({ display_name: z.string().max(1000), ...csrfField });
const passwordForm = z.strictObject({ current_password: z.string().max(2048), new_password: z.string().max(2048), ...csrfField });

function renderAccount(res: Response, status: number, state: Pick<AccountPageModel, 'displayName' | 'flash' | 'errors'>) {
  const admin = signedInAdmin(res);
  return renderPage(res, status, 'admin-auth/admin/account', { meta: { title: 'Your account' }, username: admin.username, ...state });
}

/** GET /admin/account — the display name and password forms (after adminChrome). */
export async function showAccount(req: Request, res: Response) {
  await renderAccount(res, 200, { displayName: signedInAdmin(res).displayName, flash: takeFlash(req), errors: {} });
}

/** POST /admin/account — sets the name site replies and mail are signed with; 422 with the typed name when it cannot be used. */
export async function updateAccount(req: Request, res: Response) {
  const parsed = displayNameForm.safeParse(req.body ?? {});
  const typedValue = (req.body as Record<string, unknown> | undefined)?.display_name;
  const typed = typeof typedValue === 'string' ? typedValue : '';
  const displayName = typed.trim();
  const problem = parsed.success ? displayNameProblem(displayName) : 'Enter the name readers will see.';
  if (problem) {
    await loadAdminChrome(req, res);
    return renderAccount(res, 422, { displayName: typed, flash: null, errors: { display_name: problem } });
  }
  await updateDisplayName(contextOf(req).db, signedInAdmin(res).id, displayName);
  setFlash(req, 'success', `Readers now see your replies signed “${displayName}”.`);
  res.redirect(303, '/admin/account');
}

/** POST /admin/account/password — checks the current password (throttled like sign-in), sets the new one and ends every other session. */
export async function changePassword(req: Request, res: Response) {
  const { db, loginThrottle } = contextOf(req);
  const admin = signedInAdmin(res);
  const parsed = passwordForm.safeParse(req.body ?? {});
  const refuse = async (errors: AccountPageModel['errors']) => {
    await loadAdminChrome(req, res);
    return renderAccount(res, 422, { displayName: admin.displayName, flash: null, errors });
  };
  if (!parsed.success) return refuse({ current_password: 'Enter your current password and a new one.' });
  const { current_password: current, new_password: next } = parsed.data;
  const ip = req.ip ?? 'unknown';
  const wait = await loginThrottle.secondsToWait(admin.username, ip);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    return refuse({ current_password: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minutes.` });
  }
  const user = await findUserById(db, admin.id);
  if (!user || !(await verifyPassword(user.password_hash, current))) {
    await loginThrottle.recordFailure(admin.username, ip);
    return refuse({ current_password: 'That is not your current password.' });
  }
  const problem = passwordProblem(next);
  if (problem) return refuse({ new_password: problem });
  await updatePasswordHash(db, user.id, await hashPassword(next));
  await deleteOtherSessions(db, user.id, req.sessionID);
  setFlash(req, 'success', 'Your password was changed. Every other session of this account has been signed out.');
  res.redirect(303, '/admin/account');
}
