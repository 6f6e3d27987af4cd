import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { formatMegabytes } from './upload-rules.js';

/**
 * Reading `POST /admin/media`: a multipart form whose `file` is the image.
 * The editor's form without JavaScript sends every editor field with it, so
 * a file over the limit must not cost the rest: its bytes past the limit are
 * read and dropped (memory holds at most the limit), the fields after it are
 * still parsed, and the handler answers 413 with all of them.
 */

/** Like the url-encoded forms': an editor form has a few dozen fields. */
const FIELD_LIMIT = 50;
const FIELD_BYTES_LIMIT = 1024 * 1024;

const uploadLimits = new WeakMap<Request, number>();

/** Multer's memory storage, keeping at most `limit` bytes; `size` counts every byte sent. */
const cappedMemoryStorage: StorageEngine = {
  _handleFile(req, file, callback) {
    const limit = uploadLimits.get(req) ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    file.stream.on('end', () => callback(null, { buffer: size <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), size }));
  },
  _removeFile(_req, file, callback) {
    file.buffer = Buffer.alloc(0);
    callback(null);
  },
};

const parseMultipart = multer({
  storage: cappedMemoryStorage,
  // Browsers send a file's name as UTF-8.
  defParamCharset: 'utf8',
  limits: { files: 1, fields: FIELD_LIMIT, parts: FIELD_LIMIT + 1, fieldSize: FIELD_BYTES_LIMIT, fieldNameSize: 100 },
}).single('file');

function multipartError(error: unknown): HttpError {
  if (!(error instanceof MulterError)) return new HttpError(400, 'The upload could not be read. Please send it again.');
  if (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT') {
    return new HttpError(422, 'Send one image, in the field named “file”.');
  }
  return new HttpError(413, 'What you sent is larger than this site accepts. Shorten it and try again.');
}

/** The upload's form, parsed under the site's size limit (a setting, read fresh). */
export async function uploadBody(req: Request, res: Response, next: NextFunction) {
  const { mediaMaxBytes } = await loadDiscussionSettings(contextOf(req).db);
  uploadLimits.set(req, mediaMaxBytes);
  parseMultipart(req, res, (error?: unknown) => next(error === undefined ? undefined : multipartError(error)));
}

export interface Upload {
  bytes: Buffer;
  originalName: string;
}

/** The image sent, or the HttpError that tells the uploader what is wrong. */
export function uploadOf(req: Request): Upload {
  const file = req.file;
  if (!file || file.size === 0) throw new HttpError(422, 'Choose an image file to upload.');
  const limit = uploadLimits.get(req) ?? 0;
  if (file.size > limit) {
    throw new HttpError(413, `That image is ${formatMegabytes(file.size)}; this site accepts images of up to ${formatMegabytes(limit)}.`);
  }
  // Kept for the uploader's reference only; control characters are no part of a name.
  const originalName = Array.from(file.originalname.replace(/[\p{Cc}\p{Cs}]/gu, ''))
    .slice(0, 255)
    .join('');
  return { bytes: file.buffer, originalName };
}
