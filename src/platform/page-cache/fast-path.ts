import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { contextOf } from '../context.js';
import type { Logger } from '../logger.js';
import type { CachedPage } from './page-cache.js';
import { sendPage } from './send-page.js';

/**
 * Answers GET and HEAD ahead of the rest of the app when a handler already
 * gave this very request (its URL and cookies alike) a page that is still
 * kept, with the security headers helmet would have set (`securityHeaders`,
 * flat name/value pairs), a request id, and the line the request log would
 * have written. It knows no route: anything else goes on to the router,
 * whose handlers answer from the cache by key (see cachePage).
 */
export function serveCachedPages(securityHeaders: readonly string[], logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const { pageCache } = contextOf(req);
    const page = pageCache.pageForRequest(req.url, req.headers.cookie);
    if (!page) return next();
    const startedAt = Date.now();
    const requestId = randomUUID();
    const headers = securityHeaders.concat('X-Request-Id', requestId);
    const send = (current: CachedPage | null) => {
      if (!current) return next();
      sendPage(req, res, current, 'hit', headers);
      logHit(logger, req, res, requestId, startedAt);
    };
    // After a write by this process, its notification is heard before a page is served again.
    const heard = pageCache.localWritesHeard();
    if (!heard) return send(page);
    // Looked up again: a change heard meanwhile may have dropped it.
    heard.then(
      () => send(pageCache.pageForRequest(req.url, req.headers.cookie)),
      () => (res.headersSent ? res.destroy() : next()),
    );
  };
}

/**
 * The line pino-http writes for a request, without its per-request child
 * logger and listeners, which cost more than anything else the app adds to
 * sending a cached page's bytes.
 */
function logHit(logger: Logger, req: Request, res: Response, id: string, startedAt: number): void {
  if (!logger.isLevelEnabled('info')) return;
  res.once('finish', () => {
    logger.info(
      {
        req: { id, method: req.method, path: req.url.split('?')[0] },
        res: { status: res.statusCode },
        responseTime: Date.now() - startedAt,
      },
      'request completed',
    );
  });
}
