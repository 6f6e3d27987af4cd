import express, { type RequestHandler } from 'express';
import { HttpError } from '../http-error.js';

const FORM_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Parses a posted form. A body declared larger than the limit is refused
 * before a byte of it is read (body-parser would read it all first, to keep
 * the connection usable), and the connection is closed after the 413 so the
 * client cannot go on sending it.
 */
export function formBodyParser(): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT_BYTES, parameterLimit: 50 });
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (declared > FORM_BODY_LIMIT_BYTES) {
      throw new HttpError(413, 'What you sent is larger than this site accepts. Shorten it and try again.', { Connection: 'close' });
    }
    parse(req, res, next);
  };
}
