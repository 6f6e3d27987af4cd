import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import {
  addressKey,
  confirmationHashOf,
  emailField,
  MAILS_PER_EMAIL_DAILY,
  REQUEST_KINDS,
  REQUESTS_PER_ADDRESS_HOURLY,
  type RequestKind,
} from './privacy-requests.js';
import { addressIsKnown, confirmByToken, countRequestAttempt, findRequestByToken } from './request-queries.js';
import { startRequest } from './request-mail.js';
import { DAY_MS } from '../platform/units.js';

/**
 * A commenter asks for their data, or for its erasure, without an account:
 * the address is confirmed by a mailed link. The answer is the same whether
 * or not the site knows the address; a cross-site post is refused by the
 * app's same-origin check, as for the comment form.
 */

export interface YourDataPageModel {
  meta: PageMeta;
  values: { email: string; request: RequestKind | '' };
  errors: Partial<Record<'email' | 'request', string>>;
  sent: boolean;
}

export interface YourDataConfirmPageModel {
  meta: PageMeta;
  token: string;
  /** 'ask': the button that confirms; 'confirmed': done; 'unusable': used, expired or never made. */
  outcome: 'ask' | 'confirmed' | 'unusable';
  kind: RequestKind | null;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'privacy/your-data': YourDataPageModel;
    'privacy/your-data-confirm': YourDataConfirmPageModel;
  }
}

const YOUR_DATA_PATH = '/your-data';
const HOUR_MS = 60 * 60 * 1000;

const askForm = z.strictObject({ email: z.string().max(1000).optional(), request: z.string().max(100).optional() });
const confirmForm = z.strictObject({ token: z.string().max(2000) });

function renderYourData(res: Response, status: number, state: Omit<YourDataPageModel, 'meta'>) {
  res.set('Cache-Control', 'no-store');
  return renderPage(res, status, 'privacy/your-data', { meta: { title: 'Your data' }, ...state });
}

function renderConfirm(res: Response, status: number, state: Omit<YourDataConfirmPageModel, 'meta'>) {
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
  return renderPage(res, status, 'privacy/your-data-confirm', { meta: { title: 'Confirm your request' }, ...state });
}

/** GET /your-data — the form: an e-mail address and export or erase (after a request, what happens next). */
export async function showYourData(req: Request, res: Response) {
  await renderYourData(res, 200, { values: { email: '', request: '' }, errors: {}, sent: req.query.sent === '1' });
}

/** POST /your-data (`email`, `request`) — mails a confirmation link if the site keeps anything about the address; answers the same either way. */
export async function requestYourData(req: Request, res: Response) {
  const { db, config, cookieSecret, now } = contextOf(req);
  const parsed = askForm.safeParse(req.body ?? {});
  const raw = parsed.success ? parsed.data : {};
  const kind = z.enum(REQUEST_KINDS).safeParse(raw.request);
  const values: YourDataPageModel['values'] = { email: (raw.email ?? '').trim(), request: kind.success ? kind.data : '' };
  const errors: YourDataPageModel['errors'] = {};
  const email = emailField.safeParse(values.email);
  if (!email.success)
    errors.email = values.email ? 'Enter an e-mail address like name@example.com.' : 'Enter the e-mail address you comment with.';
  if (!kind.success) errors.request = 'Choose a copy of your data or its erasure.';
  if (!email.success || !kind.success) return renderYourData(res, 422, { values, errors, sent: false });

  const nowMs = now();
  const ipKey = `privacy:ip:${req.ip ?? 'unknown'}`;
  const [byIp] = await countRequestAttempt(db, [ipKey], HOUR_MS, nowMs);
  if (byIp && byIp.points > REQUESTS_PER_ADDRESS_HOURLY) {
    const wait = Math.max(1, Math.ceil((byIp.expiresAtMs - nowMs) / 1000));
    res.set('Retry-After', String(wait));
    const minutes = Math.ceil(wait / 60);
    return renderYourData(res, 429, {
      values,
      errors: { email: `Too many requests. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` },
      sent: false,
    });
  }
  // Past its daily share an address gets no more mail, and the answer stays the same.
  const [byEmail] = await countRequestAttempt(db, [`privacy:email:${addressKey(cookieSecret, email.data)}`], DAY_MS, nowMs);
  if (byEmail && byEmail.points <= MAILS_PER_EMAIL_DAILY && (await addressIsKnown(db, email.data))) {
    await startRequest(
      db,
      { secret: cookieSecret, baseUrl: config.baseUrl },
      { email: email.data, kind: kind.data, requestedBy: null },
      new Date(nowMs),
    );
  }
  res.redirect(303, `${YOUR_DATA_PATH}?sent=1`);
}

const queryToken = (req: Request): string => (typeof req.query.token === 'string' ? req.query.token : '');

/** The request a link opens while it can still be confirmed, or null. */
async function waitingRequestOf(req: Request, token: string) {
  const { db, cookieSecret, now } = contextOf(req);
  const hash = confirmationHashOf(cookieSecret, token);
  const request = hash ? await findRequestByToken(db, hash) : null;
  const usable = request && !request.confirmed_at && !request.completed_at && request.expires_at.getTime() > now();
  return usable ? request : null;
}

/** GET /your-data/confirm?token=… — asks to confirm; nothing changes on a GET (link checkers and previews follow links). */
export async function showConfirmRequest(req: Request, res: Response) {
  const token = queryToken(req);
  const request = await waitingRequestOf(req, token);
  if (!request) return renderConfirm(res, 410, { token: '', outcome: 'unusable', kind: null });
  await renderConfirm(res, 200, { token, outcome: 'ask', kind: request.kind });
}

/** POST /your-data/confirm (`token`) — confirms the request, once; a used or expired link says so. */
export async function confirmRequest(req: Request, res: Response) {
  const { db, cookieSecret, now } = contextOf(req);
  const parsed = confirmForm.safeParse(req.body ?? {});
  const hash = parsed.success ? confirmationHashOf(cookieSecret, parsed.data.token) : null;
  const confirmed = hash ? await confirmByToken(db, hash, new Date(now())) : null;
  if (!confirmed) return renderConfirm(res, 410, { token: '', outcome: 'unusable', kind: null });
  await renderConfirm(res, 200, { token: '', outcome: 'confirmed', kind: confirmed.kind });
}
