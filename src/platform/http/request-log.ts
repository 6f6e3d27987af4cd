import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.js';

/**
 * One structured line per request, tagged with a request id that the
 * response carries (X-Request-Id) and error pages show. Cookies, passwords,
 * CSRF tokens and commenter emails never reach the log: only method, path,
 * status and timing are logged, and the logger redacts the rest.
 */
export function requestLog(logger: Logger): RequestHandler[] {
  const tagRequest: RequestHandler = (_req, res, next) => {
    const id = randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
  const log = pinoHttp({
    logger,
    genReqId: (_req, res) => String((res as unknown as { locals: { requestId: string } }).locals.requestId),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
  });
  return [tagRequest, log];
}
