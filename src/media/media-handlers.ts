import type { NextFunction, Request, Response } from 'express';
import { requireAdmin, signedInAdmin, signedInAdminOf } from '../admin-auth/index.js';
import { renderEditorAfterUpload } from '../articles/index.js';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { ImageRefused } from './image-processing.js';
import { CONTENT_TYPES, parseMediaFileName } from './media-names.js';
import { findMediaFile } from './media-queries.js';
import { storeImage } from './media-uploads.js';
import { uploadOf } from './upload-parsing.js';

/** The editor's script asks for JSON; the editor's form without script wants its page back. */
function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/**
 * A script's upload without a live session gets 401 in JSON (a redirect to
 * the sign-in page would reach it as a page of HTML); a form's, the usual
 * redirect to sign in.
 */
export async function requireAdminToUpload(req: Request, res: Response, next: NextFunction) {
  if (wantsJson(req) && !(await signedInAdminOf(req, res))) {
    res.status(401).json({ error: 'You are signed out. Sign in again, then upload the image again.' });
    return;
  }
  await requireAdmin(req, res, next);
}

/** POST /admin/media — stores an image once and answers its address: JSON for a script, else the editor page with it. */
export async function uploadMedia(req: Request, res: Response) {
  const { bytes, originalName } = uploadOf(req);
  const stored = await storeImage(contextOf(req).db, bytes, originalName, signedInAdmin(res).id).catch((error: unknown) => {
    throw error instanceof ImageRefused ? new HttpError(422, error.message) : error;
  });
  const status = stored.created ? 201 : 200;
  if (wantsJson(req)) {
    res.status(status).json({ url: stored.url });
    return;
  }
  await renderEditorAfterUpload(req, res, status, { url: stored.url });
}

/**
 * The upload route's refusals, in the form its sender reads: JSON for a
 * script; for the editor's form, a refused image (413, 422) comes back on
 * the editor page with every field as typed. Anything else goes on to the
 * site's error page.
 */
export async function answerUploadError(error: unknown, req: Request, res: Response, next: NextFunction) {
  if (!(error instanceof HttpError)) return next(error);
  if (wantsJson(req)) {
    res.status(error.status).set(error.headers).json({ error: error.message });
    return;
  }
  if (error.status !== 413 && error.status !== 422) return next(error);
  await renderEditorAfterUpload(req, res, error.status, { error: error.message });
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** GET /media/:file — an uploaded image, full size or a narrower copy; its address names its bytes, so it is cached for good. */
export async function showMedia(req: Request, res: Response) {
  const name = parseMediaFileName(String(req.params.file));
  if (!name) throw new HttpError(404, 'There is no image at this address.');
  // The ETag follows from the address alone, so a revalidation needs no bytes read.
  res.set('ETag', `"${name.hash}-${name.width ?? 'full'}"`);
  const needsBytes = req.method !== 'HEAD' && !req.fresh;
  const file = await findMediaFile(contextOf(req).db, name, needsBytes);
  if (!file) {
    res.removeHeader('ETag');
    throw new HttpError(404, 'There is no image at this address.');
  }
  res.set({
    'Content-Type': CONTENT_TYPES[name.ext],
    'Cache-Control': IMMUTABLE,
    'X-Content-Type-Options': 'nosniff',
    // Feed readers and other sites may show an article's images.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  });
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (!needsBytes) {
    res.set('Content-Length', String(file.byteSize)).end();
    return;
  }
  res.send(file.bytes);
}
