import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import type { UserRow } from './user-queries.js';
import { countUnusedRecoveryCodes, findTwoFactor } from './two-factor-queries.js';
import { openSecret, secretSealingKey } from './two-factor-secrets.js';
import { otpauthUri, qrCodeSvg } from './two-factor.js';
import { isTwoFactorRequired } from './two-factor-policy.js';

/** What the account page's two-factor section shows; the section is views/admin-auth/admin/_two-factor.ejs. */
export interface TwoFactorSectionModel {
  /** off: the enrol button; pending: the QR code, the key and the confirming code field; on: the remove form. */
  state: 'off' | 'pending' | 'on';
  /** Inline SVG made on the server by qrcode (only while pending): markup of our own making, no data of anyone's in it but the key. */
  qrSvg: string | null;
  /** The base32 key for typing in by hand (only while pending), in groups of four. */
  manualKey: string | null;
  /** The ten recovery codes, once, right after enrolment is confirmed. */
  recoveryCodes: string[] | null;
  recoveryCodesLeft: number;
  /** Whether the site requires two-factor of this account (its role is above Moderator). */
  required: boolean;
  errors: Partial<Record<'code' | 'disable_password', string>>;
}

declare module 'express-session' {
  interface SessionData {
    /** Shown once on the account page after enrolment is confirmed, then dropped. */
    twoFactorRecoveryCodes: string[];
    /** A refused two-factor form's message, for the account page it returns to. */
    twoFactorErrors: TwoFactorSectionModel['errors'];
  }
}

export const TOTP_ISSUER = 'Broadsheet';

/** The account page's two-factor section for `user`; takes the one-time codes and messages out of the session. */
export async function twoFactorSection(req: Request, _res: Response, user: UserRow): Promise<TwoFactorSectionModel> {
  const { db, cookieSecret } = contextOf(req);
  const row = await findTwoFactor(db, user.id);
  const recoveryCodes = req.session.twoFactorRecoveryCodes ?? null;
  const errors = req.session.twoFactorErrors ?? {};
  delete req.session.twoFactorRecoveryCodes;
  delete req.session.twoFactorErrors;
  const required = await isTwoFactorRequired(db, user.role);
  const base = { qrSvg: null, manualKey: null, recoveryCodes: null, recoveryCodesLeft: 0, required, errors };
  if (row?.enabled_at) {
    return { ...base, state: 'on', recoveryCodes, recoveryCodesLeft: await countUnusedRecoveryCodes(db, user.id) };
  }
  const secret = row?.pending_secret ? openSecret(secretSealingKey(cookieSecret), row.pending_secret) : null;
  if (!secret) return { ...base, state: 'off' };
  const qrSvg = await qrCodeSvg(otpauthUri(TOTP_ISSUER, user.username, secret));
  return { ...base, state: 'pending', qrSvg, manualKey: secret.match(/.{1,4}/g)!.join(' ') };
}
