import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { findEditableComment, type EditableComment } from './comment-lookup-queries.js';
import { updateCommentText } from './moderation-queries.js';
import type { AdminEditPageModel, EditField } from './admin-models.js';
import { renderPage } from '../platform/rendering/render.js';
import { COMMENT_LIMITS, parseCommentForm } from '../comments/index.js';
import { safeQueuePath } from './queue-address.js';
import { loadAdminChrome, setFlash } from './admin-chrome.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';

const EDIT_FIELDS: readonly EditField[] = ['comment', 'author', 'email', 'url'];
const FORM_KEYS = new Set<string>([...EDIT_FIELDS, '_csrf', 'return_to']);
const LIMITS: Record<EditField, number> = {
  comment: COMMENT_LIMITS.comment,
  author: COMMENT_LIMITS.author,
  email: COMMENT_LIMITS.email,
  url: COMMENT_LIMITS.url,
};

async function loadComment(req: Request): Promise<EditableComment> {
  const id = String(req.params.id);
  const comment = ID_PATTERN.test(id) ? await findEditableComment(contextOf(req).db, id) : null;
  if (!comment) throw new HttpError(404, 'There is no such comment.');
  return comment;
}

async function renderEdit(
  req: Request,
  res: Response,
  status: number,
  comment: EditableComment,
  state: { values: Record<EditField, string>; errors?: AdminEditPageModel['errors']; returnTo: string },
) {
  await loadAdminChrome(req, res);
  const errors = state.errors ?? {};
  await renderPage(res, status, 'moderation/admin/edit-comment', {
    meta: { title: `Edit comment #${comment.id}` },
    comment: {
      id: comment.id,
      status: comment.status,
      createdAt: comment.created_at,
      articleTitle: comment.article_title,
      publicHref: `/articles/${comment.article_slug}#comment-${comment.id}`,
    },
    action: `/admin/comments/${comment.id}/edit`,
    returnTo: state.returnTo,
    values: state.values,
    errors,
    errorSummary: (['form', ...EDIT_FIELDS] as const).flatMap((field) => (errors[field] ? [{ field, message: errors[field] }] : [])),
    limits: LIMITS,
  });
}

/** GET /admin/comments/:id/edit — the comment's text, name, email and website in a form. */
export async function showEditForm(req: Request, res: Response) {
  const comment = await loadComment(req);
  await renderEdit(req, res, 200, comment, {
    values: { comment: comment.body, author: comment.author_name, email: comment.author_email, url: comment.author_url },
    returnTo: safeQueuePath(req.query.return_to),
  });
}

/** POST /admin/comments/:id/edit — the same rules and limits as the public form; 422 with the form again when they fail. */
export async function updateComment(req: Request, res: Response) {
  const comment = await loadComment(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const returnTo = safeQueuePath(typeof body.return_to === 'string' ? body.return_to : undefined);
  const fields = Object.fromEntries(EDIT_FIELDS.map((field) => [field, body[field] ?? '']));
  // A comment stored without an email (when the site did not require one) may stay without one.
  const parsed = parseCommentForm(fields, { requireNameAndEmail: comment.author_email !== '' });
  const values = { comment: parsed.values.comment, author: parsed.values.author, email: parsed.values.email, url: parsed.values.url };
  const unknownKeys = Object.keys(body).some((key) => !FORM_KEYS.has(key));
  if (!parsed.ok || unknownKeys) {
    const errors: AdminEditPageModel['errors'] = parsed.ok ? {} : { ...parsed.errors };
    if (unknownKeys) errors.form = 'The form was sent with fields it does not have. Please try again.';
    return renderEdit(req, res, 422, comment, { values, errors, returnTo });
  }
  const admin = signedInAdmin(res);
  const { db, now } = contextOf(req);
  const { submission } = parsed;
  // Marked as a moderator's words: the commenter's own edit can no longer write over them.
  const updated = await updateCommentText(db, comment.id, { id: admin.id, name: admin.displayName }, new Date(now()), {
    body: submission.body,
    authorName: submission.authorName,
    authorEmail: submission.authorEmail,
    authorUrl: submission.authorUrl,
  });
  if (!updated) throw new HttpError(404, 'That comment no longer exists.');
  setFlash(req, 'success', `Comment #${comment.id} by ${submission.authorName} updated.`);
  res.redirect(303, returnTo);
}
