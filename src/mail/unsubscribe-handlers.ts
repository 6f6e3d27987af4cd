import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { conversationOf, unsubscribe, unsubscribeFromConversation } from './notification-queries.js';
import type { UnsubscribePageModel } from '../platform/rendering/models.js';
import { renderPage } from '../platform/rendering/render.js';
import { readUnsubscribeToken, type UnsubscribeRequest, type UnsubscribeScope } from './notifications.js';

const NOT_VALID = 'This unsubscribe link is not valid. Use the link from the most recent email.';

/** What a mail program sends for a List-Unsubscribe-Post one-click (RFC 8058), the token staying in the link. */
const oneClickForm = z.strictObject({ 'List-Unsubscribe': z.literal('One-Click') });
const choiceForm = z.strictObject({ token: z.string().max(2000).optional(), scope: z.enum(['conversation', 'all']).optional() });

/** The page offers leaving the conversation the link came with, or everything. */
interface UnsubscribeChoicePage extends UnsubscribePageModel {
  conversation: { title: string } | null;
  scope: UnsubscribeScope;
}

/** The link's token; a repeated parameter (an array) is no token, and is refused like any other that does not verify. */
const queryToken = (req: Request): string => (typeof req.query.token === 'string' ? req.query.token : '');

function requestFrom(req: Request, token: unknown): UnsubscribeRequest {
  const request = readUnsubscribeToken(contextOf(req).cookieSecret, token);
  if (!request) throw new HttpError(400, NOT_VALID);
  return request;
}

async function renderChoice(
  req: Request,
  res: Response,
  request: UnsubscribeRequest,
  token: string,
  done: boolean,
  scope: UnsubscribeScope,
) {
  const conversation = request.commentId ? await conversationOf(contextOf(req).db, request.commentId) : null;
  const page: UnsubscribeChoicePage = {
    meta: { title: done ? 'Unsubscribed' : 'Unsubscribe' },
    email: request.email,
    token,
    done,
    conversation,
    // A link whose comment is gone can only mean everything.
    scope: conversation ? scope : 'all',
  };
  res.set('Cache-Control', 'no-store');
  await renderPage(res, 200, 'mail/unsubscribe', page);
}

/** GET /unsubscribe?token=… — asks which mail to stop; nothing changes on a GET (link checkers and previews follow links). */
export async function showUnsubscribe(req: Request, res: Response) {
  const token = queryToken(req);
  const request = requestFrom(req, token);
  await renderChoice(req, res, request, token, false, request.scope);
}

/**
 * POST /unsubscribe — the page's form (token and scope), or a one-click
 * POST to the link from the List-Unsubscribe header, which needs no form
 * token nor a confirmation page: the signed token in the link is the proof.
 */
export async function confirmUnsubscribe(req: Request, res: Response) {
  const body: unknown = req.body ?? {};
  const oneClick = oneClickForm.safeParse(body).success;
  const choice = oneClick ? null : choiceForm.safeParse(body);
  if (choice && !choice.success) throw new HttpError(400, NOT_VALID);
  const token = choice?.data?.token ?? queryToken(req);
  const request = requestFrom(req, token);
  const { db } = contextOf(req);
  let scope = choice?.data?.scope ?? request.scope;
  if (scope === 'conversation' && !(request.commentId && (await unsubscribeFromConversation(db, request.email, request.commentId)))) {
    scope = 'all';
  }
  if (scope === 'all') await unsubscribe(db, request.email);
  await renderChoice(req, res, request, token, true, scope);
}
