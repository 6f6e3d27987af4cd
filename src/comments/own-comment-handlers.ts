import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { findArticleById, type ArticleRow } from '../articles/index.js';
import { findOwnComment, type OwnCommentRow } from './comment-edit-queries.js';
import type { CommentEditPageModel } from '../platform/rendering/models.js';
import { renderPage } from '../platform/rendering/render.js';
import { parseCommentEdit, type CommentEditValues, type FieldErrors } from './comment-form.js';
import {
  editOwnComment,
  editWait,
  ownCommentState,
  withdrawCommentByAuthor,
  type EditContext,
  type OwnCommentState,
} from './comment-edits.js';
import { parsePendingIds, PENDING_COOKIE } from './commenter-cookies.js';
import { commentIdFromToken, minutesLeft, selfServiceToken } from './self-service.js';
import { articlePath } from '../articles/index.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';

const NOT_YOURS = 'This link does not let you change that comment. Use the link from the browser or email you commented with.';
const CLOSED_REASONS: Record<Exclude<OwnCommentState, 'open'>, string> = {
  'too-late': 'A comment can be changed for 15 minutes after it is posted, and that time has passed.',
  moderated: 'A moderator has reviewed this comment since it was posted, so it can no longer be changed or withdrawn here.',
  closed: 'This comment can no longer be changed or withdrawn.',
  withdrawn: 'You withdrew this comment; it is no longer shown on the article.',
};
const CHANGED = 'This comment changed since you opened it. Your text is kept below: check it and save again.';
const tooQuick = (seconds: number) =>
  `You are changing this comment too quickly. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and save again; your text is kept below.`;
const FIELD_ORDER = ['form', 'comment', 'author', 'email', 'url'] as const;
const VERSION_PATTERN = /^[1-9]\d{0,8}$/;

/** The page's model: the edit form, the withdraw question, or why the comment can no longer change. */
interface OwnCommentPageModel extends CommentEditPageModel {
  view: 'form' | 'confirm-withdraw' | 'closed';
  version: number;
  editHref: string;
  withdrawHref: string;
  /** What just happened, said on the page the commenter lands on. */
  notice: { text: string; href: string | null } | null;
  closedReason: string;
  /** Show what the commenter typed, read-only, when it could not be saved. */
  keptText: boolean;
  /** The comment in its place on the article. */
  commentHref: string;
}

interface Owned {
  comment: OwnCommentRow;
  token: string;
}

/** The comment, when this visitor wrote it (signed cookie or signed link) on an article readers may see. */
async function ownComment(req: Request): Promise<Owned> {
  const { db, cookieSecret } = contextOf(req);
  const id = String(req.params.id);
  // A signed token is one string; a repeated field (an array) can never be one.
  const given = (req.body as Record<string, unknown> | undefined)?.token ?? req.query.token ?? '';
  const token = typeof given === 'string' ? given : '';
  const byCookie = parsePendingIds(req.signedCookies?.[PENDING_COOKIE]).includes(id);
  const byLink = commentIdFromToken(cookieSecret, token) === id;
  const comment = ID_PATTERN.test(id) ? await findOwnComment(db, id) : null;
  if (!comment || (!byCookie && !byLink)) throw new HttpError(403, NOT_YOURS);
  await articleOf(req, comment);
  return { comment, token: byLink ? token : '' };
}

const withToken = (path: string, token: string, done?: string) => {
  const query = new URLSearchParams({ ...(done ? { done } : {}), ...(token ? { token } : {}) }).toString();
  return query ? `${path}?${query}` : path;
};

const storedValues = (comment: OwnCommentRow): CommentEditValues => ({
  comment: comment.body,
  author: comment.author_name,
  email: comment.author_email,
  url: comment.author_url,
});

function editContext(req: Request): EditContext {
  const { db, now, config, cookieSecret, heldMailBudget } = contextOf(req);
  return { db, now, baseUrl: config.baseUrl, secret: cookieSecret, heldMailBudget };
}

/** The comment's article while readers may see it; unpublished or trashed, it is no more here for its commenters. */
async function articleOf(req: Request, comment: OwnCommentRow): Promise<ArticleRow> {
  const { db, now } = contextOf(req);
  const article = await findArticleById(db, comment.article_id);
  const isPublic = article?.status === 'published' && article.published_at !== null && article.published_at.getTime() <= now();
  if (!article || !isPublic) throw new HttpError(404, 'That article is no longer here.');
  return article;
}

type PageState = Partial<Pick<OwnCommentPageModel, 'view' | 'notice' | 'closedReason' | 'keptText'>> & {
  values?: CommentEditValues;
  errors?: FieldErrors;
};

async function renderOwn(req: Request, res: Response, status: number, { comment, token }: Owned, state: PageState = {}) {
  const article = await articleOf(req, comment);
  const errors = state.errors ?? {};
  const model: OwnCommentPageModel = {
    meta: { title: state.view === 'confirm-withdraw' ? 'Withdraw your comment?' : 'Edit your comment' },
    view: state.view ?? 'form',
    commentId: comment.id,
    article: { title: article.title, path: articlePath(article.slug) },
    commentHref: `${articlePath(article.slug)}#comment-${comment.id}`,
    values: state.values ?? storedValues(comment),
    errors,
    errorSummary: FIELD_ORDER.filter((field) => errors[field]).map((field) => ({ field, message: errors[field]! })),
    token,
    version: comment.version,
    editHref: withToken(`/comments/${comment.id}/edit`, token),
    withdrawHref: withToken(`/comments/${comment.id}/withdraw`, token),
    minutesLeft: minutesLeft(comment.created_at, contextOf(req).now()),
    notice: state.notice ?? null,
    closedReason: state.closedReason ?? '',
    keptText: state.keptText ?? false,
  };
  res.set('Cache-Control', 'no-store');
  await renderPage(res, status, 'comments/comment-edit', model);
}

/** The page for a comment its author can no longer change, with whatever they typed kept to copy. */
function renderClosed(
  req: Request,
  res: Response,
  owned: Owned,
  state: Exclude<OwnCommentState, 'open'>,
  values?: CommentEditValues,
  justWithdrawn = false,
) {
  if (state === 'withdrawn') {
    const notice = { text: CLOSED_REASONS.withdrawn, href: null };
    return renderOwn(req, res, justWithdrawn ? 200 : 410, owned, { view: 'closed', notice, values, keptText: values !== undefined });
  }
  // A save refused because a moderator got there first is a conflict; anything else is simply not allowed now.
  const status = state === 'moderated' && values ? 409 : 403;
  return renderOwn(req, res, status, owned, {
    view: 'closed',
    closedReason: CLOSED_REASONS[state],
    values,
    keptText: values !== undefined,
  });
}

function savedNotice(comment: OwnCommentRow, href: string) {
  if (comment.status === 'approved') return { text: 'Your changes are saved and published.', href };
  if (comment.status === 'pending') return { text: 'Your changes are saved. Your comment is awaiting moderation.', href };
  // Never tell anyone "awaiting moderation" about a comment in spam.
  return { text: 'Your changes are saved.', href: null };
}

/** GET /comments/:id/edit — the commenter's own comment, open for 15 minutes; says what happened after a save or withdrawal. */
export async function showOwnCommentEdit(req: Request, res: Response) {
  const owned = await ownComment(req);
  const state = ownCommentState(owned.comment, contextOf(req).now());
  if (state !== 'open') return renderClosed(req, res, owned, state, undefined, req.query.done === 'withdrawn');
  const article = await articleOf(req, owned.comment);
  const notice = req.query.done === 'saved' ? savedNotice(owned.comment, `${articlePath(article.slug)}#comment-${owned.comment.id}`) : null;
  await renderOwn(req, res, 200, owned, { notice });
}

const RESENT =
  'Your comment had already been posted when you sent the form again, so the text you sent the second time was not. It is kept below: save it to change your comment.';

/**
 * The answer to a resent comment form whose first sending was stored with
 * other text (edited on the error page while the first attempt had in fact
 * gone through): the stored comment, and the new text kept to save as an
 * edit while the commenter still may.
 */
export async function showResentWithOtherText(req: Request, res: Response, commentId: string, values: CommentEditValues) {
  const { db, cookieSecret, now } = contextOf(req);
  const comment = await findOwnComment(db, commentId);
  if (!comment) throw new HttpError(404, 'That comment is no longer here.');
  const owned = { comment, token: selfServiceToken(cookieSecret, comment.id) };
  const state = ownCommentState(comment, now());
  if (state !== 'open') {
    const closedReason = `${RESENT.split('.')[0]}. ${state === 'withdrawn' ? CLOSED_REASONS.withdrawn : CLOSED_REASONS[state]}`;
    return renderOwn(req, res, 409, owned, { view: 'closed', closedReason, values, keptText: true });
  }
  const article = await articleOf(req, comment);
  return renderOwn(req, res, 409, owned, { values, notice: { text: RESENT, href: `${articlePath(article.slug)}#comment-${comment.id}` } });
}

/** The posted form without its version, which parseCommentEdit does not know; the version when it is well formed. */
function splitVersion(body: unknown): { fields: Record<string, unknown>; version: number | null } {
  const { version, ...fields } = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { fields, version: typeof version === 'string' && VERSION_PATTERN.test(version) ? Number(version) : null };
}

/**
 * POST /comments/:id/edit — saves the edit through the rules (services/comment-edits):
 * 422 invalid, 409 changed meanwhile, 429 too many; the typed text always comes back.
 */
export async function updateOwnCommentText(req: Request, res: Response) {
  const owned = await ownComment(req);
  const { comment } = owned;
  const { fields, version } = splitVersion(req.body);
  const parsed = parseCommentEdit(fields);
  const state = ownCommentState(comment, contextOf(req).now());
  if (state !== 'open') return renderClosed(req, res, owned, state, parsed.values);
  if (!parsed.ok) return renderOwn(req, res, 422, owned, { values: parsed.values, errors: parsed.errors });
  if (version !== null && version !== comment.version) {
    return renderOwn(req, res, 409, owned, { values: parsed.values, errors: { form: CHANGED } });
  }
  // Counted before the rules run, so a burst of edits cannot make the site match words over and over.
  const wait = await editWait(editContext(req), comment.id, req.ip ?? null);
  if (wait > 0) {
    res.set('Retry-After', String(wait));
    return renderOwn(req, res, 429, owned, { values: parsed.values, errors: { form: tooQuick(wait) } });
  }
  const outcome = await editOwnComment(editContext(req), comment, parsed.edit, await articleOf(req, comment));
  if (outcome.kind === 'refused') {
    if (!outcome.now) throw new HttpError(403, NOT_YOURS);
    const now = { ...owned, comment: outcome.now };
    const stateNow = ownCommentState(outcome.now, contextOf(req).now());
    if (stateNow !== 'open') return renderClosed(req, res, now, stateNow, parsed.values);
    return renderOwn(req, res, 409, now, { values: parsed.values, errors: { form: CHANGED } });
  }
  res.redirect(303, withToken(`/comments/${comment.id}/edit`, owned.token, 'saved'));
}

/** GET /comments/:id/withdraw — asks first; works without script. */
export async function confirmWithdrawOwnComment(req: Request, res: Response) {
  const owned = await ownComment(req);
  const state = ownCommentState(owned.comment, contextOf(req).now());
  if (state !== 'open') return renderClosed(req, res, owned, state);
  await renderOwn(req, res, 200, owned, { view: 'confirm-withdraw' });
}

/** POST /comments/:id/withdraw — with `confirm=yes`, the comment goes to the trash; without it, the question is asked. */
export async function withdrawOwnComment(req: Request, res: Response) {
  const owned = await ownComment(req);
  const state = ownCommentState(owned.comment, contextOf(req).now());
  if (state !== 'open') return renderClosed(req, res, owned, state);
  if ((req.body as Record<string, unknown> | undefined)?.confirm !== 'yes')
    return renderOwn(req, res, 200, owned, { view: 'confirm-withdraw' });
  if (!(await withdrawCommentByAuthor(editContext(req), owned.comment))) {
    const now = await findOwnComment(contextOf(req).db, owned.comment.id);
    if (!now) throw new HttpError(403, NOT_YOURS);
    const stateNow = ownCommentState(now, contextOf(req).now());
    if (stateNow !== 'open') return renderClosed(req, res, { ...owned, comment: now }, stateNow);
    return renderOwn(req, res, 409, { ...owned, comment: now }, { view: 'confirm-withdraw', errors: { form: CHANGED } });
  }
  res.redirect(303, withToken(`/comments/${owned.comment.id}/edit`, owned.token, 'withdrawn'));
}
