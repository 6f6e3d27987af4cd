import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../http-error.js';
import { renderPage } from '../rendering/render.js';
import { signedInAdminOf } from '../../admin-auth/index.js';
import { csrfToken } from '../../admin-auth/index.js';
import { isDatabaseUnavailable, sqlStateOf } from '../db/unavailable.js';

/** The classification lives in db/unavailable.ts; this name stays for the handlers that import it from here. */
export { isDatabaseUnavailable };

declare module '../rendering/models.js' {
  interface PageModels {
    /** The error page in the admin layout, for a signed-in admin under /admin. */
    'platform/admin/error': ErrorPageModel;
  }
}

const HEADINGS: Record<number, string> = {
  400: 'That request could not be read',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'Method not allowed',
  413: 'That was too large to send',
  415: 'That format is not accepted',
  422: 'That could not be accepted',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** Errors from body parsing carry a status and a type; their own wording is not for readers. */
function clientErrorMessage(status: number, type: unknown): string {
  if (status === 413) return 'What you sent is larger than this site accepts. Shorten it and try again.';
  if (type === 'entity.parse.failed') return 'The form could not be read. Please send it again.';
  if (status === 415) return 'The form was sent in an encoding this site does not accept.';
  return 'The request could not be handled.';
}

interface Classified {
  status: number;
  message: string;
  headers: Record<string, string>;
  expected: boolean;
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22): a value it will not take,
 * such as a NUL byte in text or a number out of range. Only a request can
 * bring one that no check caught, so it is the client's error, not ours.
 */
function isRefusedValue(error: unknown): boolean {
  return sqlStateOf(error)?.startsWith('22') ?? false;
}

function classify(error: unknown): Classified {
  if (error instanceof HttpError) {
    return { status: error.status, message: error.message, headers: error.headers, expected: true };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      message: 'The site cannot reach its database just now. Please try again in a moment.',
      headers: { 'Retry-After': '5' },
      expected: true,
    };
  }
  if (isRefusedValue(error)) {
    return {
      status: 400,
      message: 'Something you sent cannot be stored, such as an invisible control character. Remove it and try again.',
      headers: {},
      expected: true,
    };
  }
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: clientErrorMessage(status, (error as { type?: unknown }).type), headers: {}, expected: true };
  }
  return {
    status: 500,
    message: 'The page could not be shown because of a fault on our side. It has been logged.',
    headers: {},
    expected: false,
  };
}

/** Anything no route answered. */
export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new HttpError(404, 'There is nothing at this address. It may have moved, or the link may be mistyped.'));
}

/**
 * A signed-in admin's error pages under /admin keep the admin layout (its
 * navigation and sign-out); anyone else gets the reader's. Whatever fails
 * here (the database, say) only costs the admin layout.
 */
async function errorPageFor(req: Request, res: Response): Promise<'platform/error' | 'platform/admin/error'> {
  if (!req.originalUrl.startsWith('/admin')) return 'platform/error';
  const admin = await signedInAdminOf(req, res).catch(() => null);
  if (!admin) return 'platform/error';
  res.locals.admin = admin;
  res.locals.csrfToken ??= csrfToken(req);
  return 'platform/admin/error';
}

/** The one error handler: a page in the site's layout (the admin's, for an admin), never a stack trace. */
export function errorHandler(logger: Logger) {
  return async (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const classified = classify(error);
    const requestId = String(res.locals.requestId ?? '');
    // The path only: query strings carry search terms, tokens and addresses.
    const path = req.originalUrl.split('?')[0];
    if (!classified.expected) logger.error({ err: error, requestId, path }, 'request failed');
    else if (classified.status === 503) logger.warn({ err: error, requestId }, 'database unavailable');
    else if (isRefusedValue(error)) logger.warn({ err: error, requestId, path }, 'database refused a value from the request');
    res.set(classified.headers);
    res.set('Cache-Control', 'no-store');
    try {
      await renderPage(res, classified.status, await errorPageFor(req, res), {
        meta: { title: HEADINGS[classified.status] ?? 'Error' },
        status: classified.status,
        heading: HEADINGS[classified.status] ?? 'Error',
        message: classified.message,
        requestId: requestId || null,
      });
    } catch (renderError) {
      logger.error({ err: renderError, requestId }, 'error page failed to render');
      res.status(classified.status).type('text').send(`${classified.status} ${classified.message}`);
    }
  };
}
