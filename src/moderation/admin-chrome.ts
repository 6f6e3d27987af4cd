import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { contextOf } from '../platform/context.js';
import { csrfToken } from '../admin-auth/index.js';
import { countPendingComments } from './queue-queries.js';
import { ownerScope } from '../people/index.js';
import type { StatusChange } from './moderation.js';
import type { FlashModel } from './admin-models.js';

/** What every admin page shares: the layout's pending count and CSRF token, and the one-time flash message. */

declare module 'express-session' {
  interface SessionData {
    /** Shown once on the next admin page. */
    moderationFlash: FlashModel;
    /** The last status change, so its Undo button (or `z`) can put exactly those comments back. */
    moderationUndo: { token: string; changes: StatusChange[] };
  }
}

/** Sets what the admin layout needs: call before rendering any admin page. */
export async function loadAdminChrome(req: Request, res: Response): Promise<void> {
  res.locals.csrfToken = csrfToken(req);
  // The navigation marks the section this page belongs to with aria-current.
  res.locals.adminPath = req.originalUrl.split('?', 1)[0];
  res.locals.pendingCount = await countPendingComments(contextOf(req).db, ownerScope(res, 'comments'));
}

/** Middleware form of loadAdminChrome, for the admin GET routes (after requireAdmin). */
export async function adminChrome(req: Request, res: Response, next: NextFunction) {
  await loadAdminChrome(req, res);
  next();
}

export function setFlash(req: Request, tone: FlashModel['tone'], message: string, undo?: StatusChange[]) {
  const flash: FlashModel = { tone, message, undoToken: null };
  if (undo && undo.length > 0) {
    const token = randomUUID();
    req.session.moderationUndo = { token, changes: undo };
    flash.undoToken = token;
  }
  req.session.moderationFlash = flash;
}

/** The flash message, removed as it is read so a reload does not show it again. */
export function takeFlash(req: Request): FlashModel | null {
  const flash = req.session.moderationFlash ?? null;
  delete req.session.moderationFlash;
  return flash;
}

/** The changes an Undo token stands for, used up as they are taken. */
export function takeUndo(req: Request, token: unknown): StatusChange[] | null {
  const undo = req.session.moderationUndo;
  if (!undo || typeof token !== 'string' || undo.token !== token) return null;
  delete req.session.moderationUndo;
  return undo.changes;
}
