import type { CookieOptions, Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { isDatabaseUnavailable } from '../platform/http/errors.js';
import { renderPage } from '../platform/rendering/render.js';
import { parseCommentForm, type CommentSubmission } from './comment-form.js';
import { addPendingId, parsePendingIds, PENDING_COOKIE, REMEMBER_COOKIES, rememberedCommenter } from './commenter-cookies.js';
import { areCommentsOpen, CLOSED_MESSAGE, DUPLICATE_MESSAGE, EXPIRED_MESSAGE, floodMessage, postComment } from './posting.js';
import { rememberedDiscussionSettings } from '../platform/page-cache/index.js';
import { articlePath, buildArticlePage, loadPublishedArticle, ownCommentLocation, type FormState } from '../articles/index.js';
import { DAY_MS } from '../platform/units.js';
import { showResentWithOtherText } from './own-comment-handlers.js';

function cookieOptions(req: Request, maxAge: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge, path: '/' };
}

function rememberCommenter(req: Request, res: Response, submission: CommentSubmission) {
  if (submission.remember) {
    const options = cookieOptions(req, 365 * DAY_MS);
    res.cookie(REMEMBER_COOKIES.author, submission.authorName, options);
    res.cookie(REMEMBER_COOKIES.email, submission.authorEmail, options);
    res.cookie(REMEMBER_COOKIES.url, submission.authorUrl, options);
    return;
  }
  for (const name of Object.values(REMEMBER_COOKIES)) {
    if (req.cookies?.[name] !== undefined) res.clearCookie(name, { path: '/' });
  }
}

/**
 * POST /articles/:slug/comments — store a comment, or show the form again
 * saying why not. With the database out of reach the commenter still gets
 * their words back, in a form that resends them (same submission id, so a
 * retry can never store the comment twice).
 */
export async function createComment(req: Request, res: Response) {
  try {
    await storeComment(req, res);
  } catch (error) {
    if (!isDatabaseUnavailable(error) || res.headersSent) throw error;
    const slug = String(req.params.slug);
    const { values } = parseCommentForm(req.body);
    res.set('Retry-After', '5').set('Cache-Control', 'no-store');
    await renderPage(res, 503, 'comments/comment-retry', {
      meta: { title: 'Your comment was not posted yet' },
      form: {
        action: `${articlePath(slug)}/comments`,
        values,
        errors: {},
        errorSummary: [],
        replyTo: null,
        open: true,
        requireNameAndEmail: true,
        gravatarNote: false,
        notice:
          'The site cannot reach its database just now, so your comment was not saved. Your text is kept below: send it again in a moment.',
      },
      articlePath: articlePath(slug),
    });
  }
}

async function storeComment(req: Request, res: Response) {
  const { db, flood, heldMailBudget, cookieSecret, config, now, memo } = contextOf(req);
  const [article, settings] = await Promise.all([
    loadPublishedArticle(db, String(req.params.slug), memo),
    rememberedDiscussionSettings(db, memo),
  ]);
  const parsed = parseCommentForm(req.body, { requireNameAndEmail: settings.requireNameAndEmail });

  const refuse = async (status: number, state: Omit<FormState, 'values'>) => {
    const model = await buildArticlePage(req, db, article, {
      values: parsed.values,
      replyToId: parsed.values.parent_id,
      ...state,
    });
    await renderPage(res, status, 'articles/article', model);
  };

  // Closed first: a closed article shows no form, so field errors would hide the text sent.
  if (!areCommentsOpen(article, settings, now())) return refuse(403, { notice: CLOSED_MESSAGE });
  if (!parsed.ok) return refuse(422, { errors: parsed.errors });
  const outcome = await postComment(
    { db, flood, heldMailBudget, secret: cookieSecret, baseUrl: config.baseUrl, now },
    article,
    parsed.submission,
    { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? '', saved: rememberedCommenter(req.cookies ?? {}) },
    settings,
  );
  switch (outcome.kind) {
    case 'invalid':
      return refuse(422, { errors: outcome.errors });
    case 'duplicate':
      return refuse(409, { notice: DUPLICATE_MESSAGE });
    case 'closed':
      return refuse(403, { notice: CLOSED_MESSAGE });
    case 'expired':
      return refuse(422, { notice: EXPIRED_MESSAGE });
    case 'flooded':
      res.set('Retry-After', String(outcome.retryAfterSeconds));
      return refuse(429, { notice: floodMessage(outcome.retryAfterSeconds) });
    case 'stored':
      // The signed cookie names the commenter's own comments: held ones (and a
      // bot trap's catch, answered exactly alike) stay visible to them, and all
      // can be edited for a while.
      const ownIds = addPendingId(req.signedCookies?.[PENDING_COOKIE], outcome.commentId);
      res.cookie(PENDING_COOKIE, ownIds, { ...cookieOptions(req, 30 * DAY_MS), signed: true });
      rememberCommenter(req, res, parsed.submission);
      if (outcome.resentWithOtherText) {
        const { comment, author, email, url } = parsed.values;
        return showResentWithOtherText(req, res, outcome.commentId, { comment, author, email, url });
      }
      // With comment pages, straight to the page that holds the new comment. It
      // is stored already: failing to find that page must not read as a failed post.
      const onArticle = `${articlePath(article.slug)}#comment-${outcome.commentId}`;
      const location = await ownCommentLocation(
        db,
        article,
        settings,
        parsePendingIds(ownIds),
        outcome.commentId,
        outcome.approvedOnArticle,
      ).catch(() => onArticle);
      res.redirect(303, location);
  }
}
