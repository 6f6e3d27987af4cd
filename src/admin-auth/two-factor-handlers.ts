import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { recordAccountEvent } from '../people/index.js';
import { signedInAdmin } from './admin-session.js';
import { setFlash } from '../moderation/index.js';
import { findUserById } from './user-queries.js';
import { verifyPassword } from './passwords.js';
import { disableTwoFactor, enableTwoFactor, findTwoFactor, savePendingSecret } from './two-factor-queries.js';
import { hashRecoveryCode, makeRecoveryCodes, normaliseCode, openSecret, sealSecret, secretSealingKey } from './two-factor-secrets.js';
import { acceptedTimeStep, newTotpSecret } from './two-factor.js';
import { isTwoFactorRequired } from './two-factor-policy.js';
import { showAccountRefused } from './account-handlers.js';
import type { TwoFactorSectionModel } from './two-factor-section.js';

/** Enrolment and removal of two-factor sign-in, from one's own account page. */

const csrfField = { _csrf: z.string().max(1000) };
const enrolForm = z.strictObject({ code: z.string().max(100).optional(), ...csrfField });
const disableForm = z.strictObject({ current_password: z.string().max(2048), ...csrfField });

/** A step done goes back to the account page; a refused form gets it again (422, or 429 when throttled), its message at the field. */
async function backToAccount(req: Request, res: Response, errors?: TwoFactorSectionModel['errors'], status = 422) {
  if (errors) return showAccountRefused(req, res, status, errors);
  res.redirect(303, '/admin/account#two-factor-heading');
}

/**
 * POST /admin/account/two-factor — without `code`: a new secret, shown on the
 * account page as a QR code and a key; with `code`: confirms it, turns
 * two-factor on and shows the ten recovery codes once.
 */
export async function enrolTwoFactor(req: Request, res: Response) {
  const { db, cookieSecret, now } = contextOf(req);
  const admin = signedInAdmin(res);
  const parsed = enrolForm.safeParse(req.body ?? {});
  if (!parsed.success) throw new HttpError(400, 'This form could not be read. Reload the page and try again.');
  const key = secretSealingKey(cookieSecret);
  const row = await findTwoFactor(db, admin.id);
  if (row?.enabled_at) return backToAccount(req, res);
  if (parsed.data.code === undefined) {
    await savePendingSecret(db, admin.id, sealSecret(key, newTotpSecret()));
    return backToAccount(req, res);
  }
  const secret = row?.pending_secret ? openSecret(key, row.pending_secret) : null;
  if (!row?.pending_secret || !secret)
    return backToAccount(req, res, { code: 'Start the set-up again: no key is waiting to be confirmed.' });
  const step = await acceptedTimeStep(secret, normaliseCode(parsed.data.code), Math.floor(now() / 1000), null);
  if (step === null) return backToAccount(req, res, { code: 'That code is not right. Enter the six digits your app shows now.' });
  const codes = makeRecoveryCodes();
  if (!(await enableTwoFactor(db, admin.id, row.pending_secret, step, codes.map(hashRecoveryCode)))) {
    return backToAccount(req, res, { code: 'The key changed in another window. Scan the new QR code and try again.' });
  }
  await recordAccountEvent(db, { kind: 'two-factor-on', actorId: admin.id, subjectId: admin.id, ip: req.ip ?? null });
  req.session.twoFactorRecoveryCodes = codes;
  setFlash(req, 'success', 'Two-factor sign-in is on. Save your recovery codes now: they are shown only once.');
  delete req.session.mustEnrolTwoFactor;
  await backToAccount(req, res);
}

/** POST /admin/account/two-factor/disable — with the current password (throttled like sign-in); refused while the site requires it of this role. */
export async function removeTwoFactor(req: Request, res: Response) {
  const { db, loginThrottle } = contextOf(req);
  const admin = signedInAdmin(res);
  const parsed = disableForm.safeParse(req.body ?? {});
  if (!parsed.success) return backToAccount(req, res, { disable_password: 'Enter your current password.' });
  const ip = req.ip ?? 'unknown';
  const wait = await loginThrottle.secondsToWait(admin.username, ip);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    return backToAccount(req, res, { disable_password: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minutes.` }, 429);
  }
  const user = await findUserById(db, admin.id);
  if (!user || !(await verifyPassword(user.password_hash, parsed.data.current_password))) {
    await loginThrottle.recordFailure(admin.username, ip);
    return backToAccount(req, res, { disable_password: 'That is not your current password.' });
  }
  if (await isTwoFactorRequired(db, user.role)) {
    // The page offers no removal then: this is a request made by hand.
    throw new HttpError(403, 'This site requires two-factor sign-in for your role: it cannot be removed.');
  }
  await disableTwoFactor(db, user.id);
  setFlash(req, 'success', 'Two-factor sign-in is off. Signing in asks only for your password.');
  await recordAccountEvent(db, { kind: 'two-factor-off', actorId: user.id, subjectId: user.id, ip: req.ip ?? null });
  await backToAccount(req, res);
}
