import express, { type RequestHandler } from 'express';
import { HttpError } from '../http-error.js';

const FORM_BODY_LIMIT_BYTES = 1024 * 1024;
/** Every public and admin form has a few fields; a body of many more is not one of ours. */
const FORM_PARAMETER_LIMIT = 50;
/** Beside its ids, a bulk form sends a few fields. */
const BULK_EXTRA_PARAMETERS = 10;
const BULK_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A urlencoded parser that refuses a body declared larger than the limit
 * before a byte of it is read (body-parser would read it all first, to keep
 * the connection usable), and closes the connection after the 413 so the
 * client cannot go on sending it.
 */
function boundedParser(limitBytes: number, parameterLimit: number): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: limitBytes, parameterLimit });
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limitBytes) {
      throw new HttpError(413, 'What you sent is larger than this site accepts. Shorten it and try again.', { Connection: 'close' });
    }
    parse(req, res, next);
  };
}

/** Parses a posted form. */
export function formBodyParser(): RequestHandler {
  return boundedParser(FORM_BODY_LIMIT_BYTES, FORM_PARAMETER_LIMIT);
}

/** Parses a bulk form only (the moderation queue's): up to `maxIds` ids, each a short number, plus its few fields. */
export function bulkFormBody(maxIds: number): RequestHandler {
  return boundedParser(BULK_BODY_LIMIT_BYTES, maxIds + BULK_EXTRA_PARAMETERS);
}
