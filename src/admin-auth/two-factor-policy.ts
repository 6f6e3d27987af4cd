import type { NextFunction, Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import type { Database } from '../platform/db/connection.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { findUserById, type Role } from './user-queries.js';
import { findTwoFactor } from './two-factor-queries.js';

/** "Above Moderator": every role that can change what readers see. */
export function roleAboveModerator(role: Role): boolean {
  return role !== 'moderator';
}

/** Whether the site requires two-factor sign-in of an account with `role` (the Sign-in setting). */
export async function isTwoFactorRequired(db: Database, role: Role): Promise<boolean> {
  return roleAboveModerator(role) && (await loadDiscussionSettings(db)).requireTwoFactor;
}

/** What an account owing enrolment may still open (paths under /admin). */
const OPEN_WHILE_ENROLMENT_OWED = new Set(['/account', '/account/two-factor', '/logout', '/login', '/login/two-factor']);

/**
 * After sign-in, an account the site requires two-factor of and that has
 * none is held on its account page until it enrols (or the requirement is
 * lifted). Mounted on /admin after the session.
 */
export async function holdUntilTwoFactorEnrolled(req: Request, res: Response, next: NextFunction) {
  const state = req.session;
  if (!state?.userId || !state.mustEnrolTwoFactor || OPEN_WHILE_ENROLMENT_OWED.has(req.path)) return next();
  const { db } = contextOf(req);
  const user = await findUserById(db, state.userId);
  if (!user || !(await isTwoFactorRequired(db, user.role)) || (await findTwoFactor(db, user.id))?.enabled_at) {
    delete state.mustEnrolTwoFactor;
    return next();
  }
  res.redirect(303, '/admin/account');
}
