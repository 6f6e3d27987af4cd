import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../http-error.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser marks as coming from
 * another site. It needs no token, so readers and commenters need no session.
 * Requests without either header (curl, very old browsers) are let through:
 * browsers that could be tricked into a cross-site post send one of them.
 */
export function sameOriginOnly(allowedOrigin: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const fetchSite = req.get('sec-fetch-site');
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return next(new HttpError(403, 'This form was sent from another site, so it was not accepted.'));
    }
    const origin = req.get('origin');
    if (origin && origin !== allowedOrigin && origin !== `${req.protocol}://${req.get('host')}`) {
      return next(new HttpError(403, 'This form was sent from another site, so it was not accepted.'));
    }
    next();
  };
}
