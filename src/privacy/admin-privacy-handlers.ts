import type { Request, Response } from 'express';
import path from 'node:path';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { isId } from '../platform/http/route-patterns.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import type { FlashModel } from '../moderation/index.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/index.js';
import { signedInAdmin } from '../admin-auth/index.js';
import {
  CONFIRM_REASON_MAX,
  describeReport,
  emailField,
  ERASURE_MODE_LABELS,
  ERASURE_MODES,
  REQUEST_STATE_LABELS,
  requestState,
  type ErasureMode,
  type RequestKind,
  type RequestState,
} from './privacy-requests.js';
import {
  confirmByAdministrator,
  findConfirmedRequest,
  findRequest,
  findWaitingRequest,
  listRequests,
  markExportDelivered,
  type ListedRequest,
} from './request-queries.js';
import { startRequest } from './request-mail.js';
import { buildPersonalExport, exportFileName } from './personal-export.js';
import { eraseAddress } from './erasure.js';

/**
 * The administrator's side of privacy requests: start one by e-mail
 * address (the person is mailed a link), confirm one for a person who
 * cannot receive mail (with the reason), and once confirmed download the
 * export or run the erasure.
 */

const PATHS: Record<RequestKind, string> = { export: '/admin/privacy/export', erase: '/admin/privacy/erase' };

export interface RequestRowModel {
  id: string;
  /** Null once the address was erased. */
  email: string | null;
  state: RequestState;
  stateLabel: string;
  createdAt: Date;
  expiresAt: Date;
  requestedBy: string;
  confirmation: string | null;
  completedAt: Date | null;
  completedBy: string | null;
  report: string[];
  confirmAction: string | null;
  downloads: { html: string; json: string } | null;
}

export interface PrivacyAdminPageModel {
  meta: PageMeta;
  kind: RequestKind;
  action: string;
  flash: FlashModel | null;
  values: { email: string; mode: ErasureMode | '' };
  errors: Partial<Record<'email' | 'mode', string>>;
  modes: Array<{ value: ErasureMode; label: string }>;
  requests: RequestRowModel[];
  /** The request whose erasure just ran, with what it changed. */
  finished: { id: string; lines: string[] } | null;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'privacy/admin/export': PrivacyAdminPageModel;
    'privacy/admin/erase': PrivacyAdminPageModel;
  }
}

const nameOf = (name: string | null, id: string | null) => name ?? (id ? 'a removed account' : 'unknown');

function requestRow(request: ListedRequest, now: Date): RequestRowModel {
  const state = requestState(request, now);
  const base = `${PATHS[request.kind]}?request=${request.id}`;
  const confirmation = !request.confirmed_at
    ? null
    : request.confirmed_by
      ? `by ${nameOf(request.confirmed_by_name, request.confirmed_by)} for the person: ${request.confirm_reason ?? ''}`
      : 'by the person, through the mailed link';
  return {
    id: String(request.id),
    email: request.email,
    state,
    stateLabel: REQUEST_STATE_LABELS[state],
    createdAt: request.created_at,
    expiresAt: request.expires_at,
    requestedBy: request.requested_by ? nameOf(request.requested_by_name, request.requested_by) : 'the person, at /your-data',
    confirmation,
    completedAt: request.completed_at,
    completedBy: request.completed_by ? nameOf(request.completed_by_name, request.completed_by) : null,
    report: request.report ? describeReport(request.report) : [],
    confirmAction: state === 'waiting' ? `/admin/privacy/requests/${request.id}/confirm` : null,
    downloads:
      request.kind === 'export' && request.email && (state === 'confirmed' || state === 'done')
        ? { html: `${base}&format=html`, json: `${base}&format=json` }
        : null,
  };
}

async function renderPrivacyPage(
  req: Request,
  res: Response,
  kind: RequestKind,
  status: number,
  state: Partial<Pick<PrivacyAdminPageModel, 'values' | 'errors' | 'finished'>> = {},
) {
  if (res.locals.pendingCount === undefined) await loadAdminChrome(req, res);
  const { db, now } = contextOf(req);
  const requests = await listRequests(db, kind);
  const at = new Date(now());
  await renderPage(res, status, kind === 'export' ? 'privacy/admin/export' : 'privacy/admin/erase', {
    meta: { title: kind === 'export' ? 'Export personal data' : 'Erase personal data' },
    kind,
    action: PATHS[kind],
    flash: takeFlash(req),
    values: state.values ?? { email: '', mode: '' },
    errors: state.errors ?? {},
    modes: ERASURE_MODES.map((value) => ({ value, label: ERASURE_MODE_LABELS[value] })),
    requests: requests.map((request) => requestRow(request, at)),
    finished: state.finished ?? null,
  });
}

const requestIdOf = (req: Request): string | null => {
  const id = req.query.request;
  if (id === undefined) return null;
  if (!isId(id)) throw new HttpError(404, 'There is no such request.');
  return id;
};

/** GET /admin/privacy/export — the form and the requests; with `?request=ID&format=html|json`, a confirmed request's export. */
export async function showExportRequests(req: Request, res: Response) {
  const id = requestIdOf(req);
  if (id === null) return renderPrivacyPage(req, res, 'export', 200);
  const { db, config, now } = contextOf(req);
  const request = await findRequest(db, id);
  if (!request || request.kind !== 'export' || !request.email) throw new HttpError(404, 'There is no such export.');
  if (!request.confirmed_at)
    throw new HttpError(409, 'This export is not confirmed yet: it can be downloaded once the person confirms it.');
  const format = req.query.format === 'json' ? 'json' : req.query.format === 'html' ? 'html' : null;
  if (!format) throw new HttpError(404, 'Choose the HTML or the JSON export.');
  const at = new Date(now());
  const data = await buildPersonalExport(db, request.email, config.baseUrl, at);
  await markExportDelivered(db, request.id, signedInAdmin(res).id, at);
  res.set('Cache-Control', 'no-store');
  if (format === 'json') {
    res.attachment(exportFileName(request.id, 'json'));
    res.type('application/json').send(JSON.stringify(data, null, 2));
    return;
  }
  res.set('Content-Disposition', `inline; filename="${exportFileName(request.id, 'html')}"`);
  // Its own small style sheet inline, so the saved file reads the same anywhere; nothing else may load.
  res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  // A document of its own, without the admin's layout: it is meant to be saved and sent on.
  const html = await new Promise<string>((resolve, reject) =>
    res.app.render('privacy/admin/personal-data', { data }, (error, rendered) => (error ? reject(error) : resolve(rendered))),
  );
  res.type('html').send(html);
}

/** GET /admin/privacy/erase — the form and the requests; `?request=ID` shows what that erasure changed. */
export async function showEraseRequests(req: Request, res: Response) {
  const id = requestIdOf(req);
  let finished: PrivacyAdminPageModel['finished'] = null;
  if (id !== null) {
    const request = await findRequest(contextOf(req).db, id);
    if (!request || request.kind !== 'erase' || !request.report) throw new HttpError(404, 'There is no such erasure.');
    finished = { id: request.id, lines: describeReport(request.report) };
  }
  await renderPrivacyPage(req, res, 'erase', 200, { finished });
}

const exportForm = z.strictObject({ _csrf: z.string().max(1000), email: z.string().max(1000) });
const eraseForm = z.strictObject({ _csrf: z.string().max(1000), email: z.string().max(1000), mode: z.string().max(100).optional() });
const confirmForm = z.strictObject({ _csrf: z.string().max(1000), reason: z.string().max(10_000) });

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new HttpError(400, 'The form could not be read. Go back, reload the page and try again.');
  return result.data;
}

/** Starts a request for the address unless one is already waiting; the flash says which, never naming the address. */
async function startOrRemind(req: Request, res: Response, email: string, kind: RequestKind) {
  const { db, config, cookieSecret, now } = contextOf(req);
  const at = new Date(now());
  if (await findWaitingRequest(db, email, kind, at)) {
    setFlash(req, 'error', 'A request for that address is already waiting for its confirmation: see below.');
    return;
  }
  await startRequest(db, { secret: cookieSecret, baseUrl: config.baseUrl }, { email, kind, requestedBy: signedInAdmin(res).id }, at);
  setFlash(
    req,
    'success',
    'A confirmation link was mailed to the address. The request is listed below; it can be acted on once confirmed.',
  );
}

/** POST /admin/privacy/export (`email`) — starts an export (mails the person), or once confirmed opens its export. */
export async function postExportRequest(req: Request, res: Response) {
  const form = parsed(exportForm, req.body);
  const email = emailField.safeParse(form.email);
  if (!email.success) {
    return renderPrivacyPage(req, res, 'export', 422, {
      values: { email: form.email.trim(), mode: '' },
      errors: { email: 'Enter an e-mail address like name@example.com.' },
    });
  }
  const confirmed = await findConfirmedRequest(contextOf(req).db, email.data, 'export');
  if (confirmed) return res.redirect(303, `${PATHS.export}?request=${confirmed.id}&format=html`);
  await startOrRemind(req, res, email.data, 'export');
  res.redirect(303, PATHS.export);
}

/** POST /admin/privacy/erase (`email`, `mode`) — starts an erasure (mails the person), or once confirmed runs it. */
export async function postEraseRequest(req: Request, res: Response) {
  const form = parsed(eraseForm, req.body);
  const email = emailField.safeParse(form.email);
  const mode = z.enum(ERASURE_MODES).safeParse(form.mode);
  const { db, config, cookieSecret, now } = contextOf(req);
  const errors: PrivacyAdminPageModel['errors'] = {};
  if (!email.success) errors.email = 'Enter an e-mail address like name@example.com.';
  const confirmed = email.success ? await findConfirmedRequest(db, email.data, 'erase') : null;
  if (confirmed && !mode.success) errors.mode = 'Choose whether the comments stay anonymised or are deleted.';
  if (!email.success || (confirmed && !mode.success)) {
    const values = { email: form.email.trim(), mode: mode.success ? mode.data : ('' as const) };
    return renderPrivacyPage(req, res, 'erase', 422, { values, errors });
  }
  if (!confirmed || !mode.success) {
    await startOrRemind(req, res, email.data, 'erase');
    return res.redirect(303, PATHS.erase);
  }
  const admin = signedInAdmin(res);
  await eraseAddress(
    db,
    { secret: cookieSecret, outboxDir: path.join(config.dataDir, 'outbox') },
    { email: email.data, mode: mode.data, requestId: confirmed.id, actor: { id: admin.id, name: admin.displayName }, at: new Date(now()) },
  );
  setFlash(req, 'success', 'The erasure is done. What it changed is below.');
  res.redirect(303, `${PATHS.erase}?request=${confirmed.id}`);
}

/** POST /admin/privacy/requests/:id/confirm (`reason`) — confirms for a person whose address cannot receive mail; the reason is kept. */
export async function confirmForPerson(req: Request, res: Response) {
  const id = String(req.params.id);
  if (!isId(id)) throw new HttpError(404, 'There is no such request.');
  const form = parsed(confirmForm, req.body);
  const { db, now } = contextOf(req);
  const request = await findRequest(db, id);
  if (!request) throw new HttpError(404, 'There is no such request.');
  const reason = form.reason.trim();
  if (!reason || Array.from(reason).length > CONFIRM_REASON_MAX) {
    setFlash(
      req,
      'error',
      `Nothing was confirmed: give the reason (at most ${CONFIRM_REASON_MAX} characters), for instance why the address cannot receive mail.`,
    );
  } else if (await confirmByAdministrator(db, id, signedInAdmin(res).id, reason, new Date(now()))) {
    setFlash(req, 'success', 'Confirmed for the person, with your reason recorded.');
  } else {
    setFlash(req, 'error', 'That request is no longer waiting for confirmation.');
  }
  res.redirect(303, PATHS[request.kind]);
}
