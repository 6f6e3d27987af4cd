import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import { HttpError } from '../http-error.js';
import { findArticleById } from '../queries/articles.js';
import { findMatchingBlock } from '../queries/blocks.js';
import { findComment, hasOtherApprovedComment, updateOwnComment, type CommentRow } from '../queries/comments.js';
import { unsubscribe } from '../queries/notifications.js';
import { loadDiscussionSettings } from '../queries/settings.js';
import { renderPage } from '../rendering/render.js';
import { parseCommentEdit, type CommentEditValues, type FieldErrors } from '../services/comment-form.js';
import { parsePendingIds, PENDING_COOKIE } from '../services/commenter-cookies.js';
import { decideComment } from '../services/discussion-rules.js';
import { emailFromUnsubscribeToken } from '../services/notifications.js';
import { queueNotificationsForNewComment } from '../services/comment-notifications.js';
import { commentIdFromToken, minutesLeft, withinEditWindow } from '../services/self-service.js';
import { articlePath } from './article-page.js';

const NOT_YOURS = 'This link does not let you change that comment. Use the link from the browser or email you commented with.';
const TOO_LATE = 'A comment can be changed for 15 minutes after it is posted, and that time has passed.';
const FIELD_ORDER = ['form', 'comment', 'author', 'email', 'url'] as const;

/** The comment, when this visitor wrote it (signed cookie or signed link) and may still change it. */
async function ownComment(req: Request): Promise<{ comment: CommentRow; token: string }> {
  const { db, cookieSecret, now } = contextOf(req);
  const id = String(req.params.id);
  const token = String((req.body as Record<string, unknown> | undefined)?.token ?? req.query.token ?? '');
  const byCookie = parsePendingIds(req.signedCookies?.[PENDING_COOKIE]).includes(id);
  const byLink = commentIdFromToken(cookieSecret, token) === id;
  const comment = /^[1-9]\d{0,17}$/.test(id) ? await findComment(db, id) : null;
  if (!comment || comment.status === 'trash' || (!byCookie && !byLink)) throw new HttpError(403, NOT_YOURS);
  if (!withinEditWindow(comment.created_at, now())) throw new HttpError(403, TOO_LATE);
  return { comment, token: byLink ? token : '' };
}

async function renderEdit(req: Request, res: Response, status: number, comment: CommentRow, token: string, values: CommentEditValues, errors: FieldErrors = {}) {
  const article = await findArticleById(contextOf(req).db, comment.article_id);
  await renderPage(res, status, 'comment-edit', {
    meta: { title: 'Edit your comment' },
    commentId: comment.id,
    article: { title: article?.title ?? '', path: article ? articlePath(article.slug) : '/' },
    values,
    errors,
    errorSummary: FIELD_ORDER.filter((field) => errors[field]).map((field) => ({ field, message: errors[field]! })),
    token,
    minutesLeft: minutesLeft(comment.created_at, contextOf(req).now()),
  });
}

/** GET /comments/:id/edit — the commenter's own comment, open for 15 minutes. */
export async function showOwnCommentEdit(req: Request, res: Response) {
  const { comment, token } = await ownComment(req);
  res.set('Cache-Control', 'no-store');
  await renderEdit(req, res, 200, comment, token, {
    comment: comment.body,
    author: comment.author_name,
    email: comment.author_email,
    url: comment.author_url,
  });
}

/** POST /comments/:id/edit — saves the edit and runs every rule again: links added later are held like any others. */
export async function updateOwnCommentText(req: Request, res: Response) {
  const { comment, token } = await ownComment(req);
  const parsed = parseCommentEdit(req.body);
  if (!parsed.ok) return renderEdit(req, res, 422, comment, token, parsed.values, parsed.errors);
  const { db } = contextOf(req);
  const { edit } = parsed;
  const [settings, previouslyApproved, block] = await Promise.all([
    loadDiscussionSettings(db),
    hasOtherApprovedComment(db, comment, edit.authorName, edit.authorEmail),
    findMatchingBlock(db, edit.authorEmail, comment.ip),
  ]);
  const decision = decideComment(
    { ...edit, ip: comment.ip ?? '', userAgent: comment.user_agent },
    settings,
    { previouslyApproved, honeypotFilled: false, secondsSinceRender: Number.POSITIVE_INFINITY, block: block ? `${block.kind} ${block.value}` : null },
  );
  // A comment already marked as spam stays spam; an edit cannot talk it out of that.
  const verdict = comment.status === 'spam' ? {} : { status: decision.status, status_reasons: JSON.stringify(decision.reasons) };
  await updateOwnComment(
    db,
    comment,
    { body: edit.body, author_name: edit.authorName, author_email: edit.authorEmail, author_url: edit.authorUrl, ...verdict },
    'edit',
  );
  const article = await findArticleById(db, comment.article_id);
  // A published comment that an edit sends back to the queue must not wait there unnoticed.
  if (comment.status === 'approved' && decision.status === 'pending' && article) {
    await queueNotificationsForNewComment(db, {
      baseUrl: contextOf(req).config.baseUrl,
      secret: contextOf(req).cookieSecret,
      settings,
      article,
      comment: { id: comment.id, status: 'pending', author_name: edit.authorName, author_email: edit.authorEmail, body: edit.body },
      parent: null,
      reasons: decision.reasons.map((reason) => reason.text),
      nowMs: contextOf(req).now(),
      heldMailBudget: contextOf(req).heldMailBudget,
    });
  }
  res.redirect(303, `${articlePath(article!.slug)}#comment-${comment.id}`);
}

/** POST /comments/:id/withdraw — the commenter takes their comment back (it goes to the trash). */
export async function withdrawOwnComment(req: Request, res: Response) {
  const { comment } = await ownComment(req);
  const { db } = contextOf(req);
  await updateOwnComment(
    db,
    comment,
    { status: 'trash', status_reasons: JSON.stringify([{ code: 'withdrawn', text: 'withdrawn by its author' }]) },
    'status',
  );
  const article = await findArticleById(db, comment.article_id);
  res.redirect(303, `${articlePath(article!.slug)}#comments`);
}

/** GET /unsubscribe?token=… — confirms whose mail stops; POST does it. No sign-in needed: the link is signed. */
export async function showUnsubscribe(req: Request, res: Response) {
  const email = emailFromUnsubscribeToken(contextOf(req).cookieSecret, req.query.token);
  if (!email) throw new HttpError(400, 'This unsubscribe link is not valid. Use the link from the most recent email.');
  res.set('Cache-Control', 'no-store');
  await renderPage(res, 200, 'unsubscribe', { meta: { title: 'Unsubscribe' }, email, token: String(req.query.token), done: false });
}

export async function confirmUnsubscribe(req: Request, res: Response) {
  const token = (req.body as Record<string, unknown> | undefined)?.token ?? req.query.token;
  const email = emailFromUnsubscribeToken(contextOf(req).cookieSecret, token);
  if (!email) throw new HttpError(400, 'This unsubscribe link is not valid. Use the link from the most recent email.');
  await unsubscribe(contextOf(req).db, email);
  await renderPage(res, 200, 'unsubscribe', { meta: { title: 'Unsubscribed' }, email, token: '', done: true });
}
