import type { Request, Response } from 'express';
import { HttpError } from '../platform/http-error.js';
import { AVATAR_HASH_PATTERN, identiconSvg } from './identicon.js';

/**
 * GET /avatars/:hash.svg — a commenter's identicon, drawn here from the hash
 * alone (no lookup, no outside request). The same hash always draws the same
 * picture, so browsers may keep it for good.
 */
export function showAvatar(req: Request, res: Response) {
  const hash = String(req.params.hash);
  if (!AVATAR_HASH_PATTERN.test(hash)) throw new HttpError(404, 'There is no such avatar.');
  res.set('Cache-Control', 'public, max-age=31536000, immutable');
  res.type('image/svg+xml').send(identiconSvg(hash));
}
