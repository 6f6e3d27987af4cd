import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../http-error.js';

const protection = csrfSync({
  getTokenFromRequest: (req) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof token === 'string' ? token : undefined;
  },
});

/** The synchroniser token for this admin session (made on first use). */
export function csrfToken(req: Request, fresh = false): string {
  return protection.generateToken(req, fresh);
}

/** Exposes the token to admin templates as `csrfToken`. */
export function provideCsrfToken(req: Request, res: Response, next: NextFunction) {
  res.locals.csrfToken = csrfToken(req);
  next();
}

/** Every state-changing admin request must carry the session's token in `_csrf`. */
export function verifyCsrf(req: Request, _res: Response, next: NextFunction) {
  if (!protection.isRequestValid(req)) {
    return next(
      new HttpError(403, 'This form has expired or did not come from this site. Go back, reload the page and try again.'),
    );
  }
  next();
}
