import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { COMMENT_STATUSES } from '../comments/index.js';
import {
  insertSiteReply,
  listIdsInStatus,
  moderateComments,
  type Actor,
  type LockedComment,
  type ModerationResult,
} from './moderation-queries.js';
import { parseCommentForm } from '../comments/index.js';
import { ownerScope } from '../people/index.js';
import { keepCommentsOwnedBy, refuseCommentsNotOwned } from '../people/index.js';
import { mailOnApproval } from '../mail/index.js';
import {
  actionForStatus,
  BULK_ACTIONS,
  describeOutcome,
  isUndoable,
  planAction,
  planReplyParent,
  planStatusChange,
  planUndo,
  siteReplyEmail,
  type BulkAction,
  type Move,
  type StatusChange,
} from './moderation.js';
import { filtersOfQueuePath, parseIds, safeQueuePath } from './queue-address.js';
import { setFlash, takeUndo } from './admin-chrome.js';
import { renderQueue } from './queue-handlers.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { outboxDirOf, removeMailFilesAfterCommit } from '../privacy/index.js';

/** The hidden fields of every queue form. */
export const hidden = { _csrf: z.string().max(1000), return_to: z.string().max(2000).optional() };
const statusForm = z.strictObject({ ...hidden, status: z.enum(COMMENT_STATUSES) });
const plainForm = z.strictObject(hidden);
const bulkChoice = z.union([z.enum(BULK_ACTIONS), z.literal('')]);
// The bar above the list sends `action`, the one below `action2` (as WordPress names them); `apply` says which Apply was pressed.
const bulkForm = z.strictObject({
  ...hidden,
  action: bulkChoice.optional(),
  action2: bulkChoice.optional(),
  apply: z.enum(['top', 'bottom']).optional(),
  ids: z.unknown().optional(),
});
const emptyForm = z.strictObject({ ...hidden, status: z.enum(['spam', 'trash']), count: z.string().regex(/^\d{1,9}$/) });
const undoForm = z.strictObject({ ...hidden, token: z.string().max(100) });
const replyForm = z.strictObject({ ...hidden, comment: z.unknown().optional() });

/** Parses a form the admin pages render; anything else is a 400, since a person cannot send it. */
export function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, 'The form could not be read. Go back, reload the page and try again.');
  return parsed.data;
}

export function commentIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new HttpError(404, 'There is no such comment.');
  return id;
}

/** Back to the queue view the form came from: its return_to field, else a same-site Referer. */
export function returnPath(req: Request, returnTo: string | undefined): string {
  if (returnTo !== undefined) return safeQueuePath(returnTo);
  const referer = req.get('referer');
  if (!referer || !URL.canParse(referer)) return safeQueuePath(undefined);
  const url = new URL(referer);
  const ours = url.host === req.get('host') || url.origin === new URL(contextOf(req).config.baseUrl).origin;
  return safeQueuePath(ours ? url.pathname + url.search : undefined);
}

export function moderator(req: Request, res: Response): { actor: Actor; at: Date } {
  const admin = signedInAdmin(res);
  return { actor: { id: admin.id, name: admin.displayName }, at: new Date(contextOf(req).now()) };
}

/** Mail follows every approval, in the same transaction as the change. */
function approvalMail(req: Request) {
  const { config, cookieSecret } = contextOf(req);
  return mailOnApproval({ baseUrl: config.baseUrl, secret: cookieSecret });
}

async function moderate(req: Request, res: Response, ids: readonly string[], plan: (comment: LockedComment) => Move) {
  const { actor, at } = moderator(req, res);
  // An author moderates only the comments on their own articles: any other in the batch refuses it whole.
  const owner = ownerScope(res, 'comments');
  if (owner !== null) await refuseCommentsNotOwned(req, ids, owner);
  const { db, config } = contextOf(req);
  const result = await moderateComments(db, ids, actor, at, plan, approvalMail(req));
  await removeMailFilesAfterCommit(outboxDirOf(config.dataDir), result.forgottenMail);
  return result;
}

/** Tells the moderator what happened, offering Undo after any status change. */
function report(req: Request, action: BulkAction, result: ModerationResult) {
  const tally = {
    done: result.changes.length,
    unchanged: result.unchanged.length,
    notAllowed: result.notAllowed.length,
    missing: result.missing.length,
  };
  const undoable = isUndoable(action) ? result.changes.filter((change): change is StatusChange => change.to !== null) : [];
  setFlash(req, tally.done === 0 && tally.unchanged === 0 ? 'error' : 'success', describeOutcome(action, tally), undoable);
}

/** POST /admin/comments/:id/status — moves one comment to pending, approved, spam or trash. */
export async function setCommentStatus(req: Request, res: Response) {
  const id = commentIdOf(req);
  const form = parseForm(statusForm, req.body);
  const result = await moderate(req, res, [id], (comment) => planStatusChange(comment.status, form.status));
  if (result.missing.length > 0) throw new HttpError(404, 'That comment no longer exists.');
  const change = result.changes[0];
  if (change) report(req, actionForStatus(change.from, form.status), result);
  else setFlash(req, 'success', `That comment is already ${form.status === 'trash' ? 'in the trash' : form.status}.`);
  res.redirect(303, returnPath(req, form.return_to));
}

/** POST /admin/comments/:id/restore — out of trash or spam, back to the status it had before. */
export async function restoreComment(req: Request, res: Response) {
  const id = commentIdOf(req);
  const form = parseForm(plainForm, req.body);
  const result = await moderate(req, res, [id], (comment) => planAction('restore', comment.status, comment.previous));
  if (result.missing.length > 0) throw new HttpError(404, 'That comment no longer exists.');
  report(req, 'restore', result);
  res.redirect(303, returnPath(req, form.return_to));
}

/** POST /admin/comments/:id/delete — deletes one comment for good; only from spam or trash. */
export async function deleteComment(req: Request, res: Response) {
  const id = commentIdOf(req);
  const form = parseForm(plainForm, req.body);
  const result = await moderate(req, res, [id], (comment) => planAction('delete', comment.status, comment.previous));
  if (result.missing.length > 0) throw new HttpError(404, 'That comment no longer exists.');
  report(req, 'delete', result);
  res.redirect(303, returnPath(req, form.return_to));
}

/** POST /admin/comments/bulk — one action on every checked comment; each is judged on its own status. */
export async function applyBulkAction(req: Request, res: Response) {
  const form = parseForm(bulkForm, req.body);
  const ids = parseIds(form.ids);
  if (ids === null) throw new HttpError(400, 'The selected comments could not be read. Reload the page and try again.');
  const back = returnPath(req, form.return_to);
  const chosen = form.apply === 'bottom' ? form.action2 : form.action || form.action2;
  if (!chosen) {
    setFlash(req, 'error', 'Choose a bulk action, then select comments and press Apply.');
  } else if (ids.length === 0) {
    setFlash(req, 'error', 'Select one or more comments, then press Apply.');
  } else {
    const action = chosen;
    report(req, action, await moderate(req, res, ids, (comment) => planAction(action, comment.status, comment.previous)));
  }
  res.redirect(303, back);
}

/**
 * POST /admin/comments/empty — deletes every comment in spam or in the trash
 * for good, each logged. `count` is the number the moderator confirmed: if
 * the folder holds another number by now, nothing is deleted and they are told.
 */
export async function emptyStatus(req: Request, res: Response) {
  const form = parseForm(emptyForm, req.body);
  const back = returnPath(req, form.return_to);
  const owner = ownerScope(res, 'comments');
  const listed = await listIdsInStatus(contextOf(req).db, form.status);
  // An author empties only what their own articles hold there.
  const ids = owner === null ? listed : await keepCommentsOwnedBy(req, listed, owner);
  const where = form.status === 'spam' ? 'Spam' : 'The trash';
  if (ids.length !== Number(form.count)) {
    setFlash(
      req,
      'error',
      `${where} now holds ${ids.length} comment${ids.length === 1 ? '' : 's'}, not ${form.count}: nothing was deleted. Check the list and empty it again.`,
    );
    return res.redirect(303, back);
  }
  const target = form.status;
  const result = await moderate(req, res, ids, (comment) =>
    comment.status === target ? { kind: 'delete' } : { kind: 'skip', reason: 'not-allowed' },
  );
  report(req, 'delete', result);
  res.redirect(303, back);
}

/** POST /admin/comments/undo — puts the comments of the last action back where they were. */
export async function undoModeration(req: Request, res: Response) {
  const form = parseForm(undoForm, req.body);
  const changes = takeUndo(req, form.token);
  const back = returnPath(req, form.return_to);
  if (!changes) {
    setFlash(req, 'error', 'There is nothing to undo: that action was already undone or replaced by a newer one.');
    return res.redirect(303, back);
  }
  const byId = new Map(changes.map((change) => [change.id, change]));
  const result = await moderate(req, res, [...byId.keys()], (comment) => {
    const change = byId.get(comment.id)!;
    return planUndo(change, comment.status);
  });
  const restored = result.changes.length;
  const moved = result.notAllowed.length + result.missing.length;
  setFlash(
    req,
    'success',
    `Undone: ${restored} comment${restored === 1 ? '' : 's'} restored.` +
      (moved > 0 ? ` ${moved} had been moved or deleted since and ${moved === 1 ? 'was' : 'were'} left alone.` : ''),
  );
  res.redirect(303, back);
}

/** POST /admin/comments/:id/reply — the site's own reply, published and threaded under the comment. */
export async function replyToComment(req: Request, res: Response) {
  const id = commentIdOf(req);
  const form = parseForm(replyForm, req.body);
  const back = returnPath(req, form.return_to);
  const parsed = parseCommentForm({ comment: form.comment ?? '' }, { requireNameAndEmail: false });
  if (!parsed.ok) {
    const message = parsed.errors.comment ?? parsed.errors.form ?? 'The reply could not be read.';
    return renderQueue(req, res, 422, filtersOfQueuePath(back), { commentId: id, text: parsed.values.comment, message });
  }
  const admin = signedInAdmin(res);
  const { db, config } = contextOf(req);
  const { actor, at } = moderator(req, res);
  const reply = {
    authorName: admin.displayName,
    authorEmail: siteReplyEmail(admin.username, config.baseUrl),
    body: parsed.submission.body,
  };
  const result = await insertSiteReply(db, id, actor, at, reply, planReplyParent, approvalMail(req));
  if (result.kind === 'missing') throw new HttpError(404, 'That comment no longer exists.');
  if (result.kind === 'not-allowed') {
    setFlash(req, 'error', `Comments in ${result.status} cannot be replied to. Restore it first.`);
  } else {
    setFlash(req, 'success', result.approvedParent ? 'Comment approved and your reply published.' : 'Your reply is published.');
  }
  res.redirect(303, back);
}
