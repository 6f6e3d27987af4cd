import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { NextFunction, Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { verifyCsrfFieldOrHeader } from '../admin-auth/index.js';
import { HttpError } from '../platform/http-error.js';
import { formatMegabytes, MEGABYTE } from '../media/index.js';

/**
 * Reading `POST /admin/import`: a multipart form whose `file` is the export.
 * The file goes straight to a temporary file (never into memory), readable
 * by this user only, since an export holds commenters' addresses. The token
 * must come before the file (a field sent first, or X-CSRF-Token): a request
 * without it writes nothing to disk. Past the size limit the upload stops,
 * its partial file is removed and the answer is 413.
 */

/** Large enough for a blog of many years (WordPress's own importer usually stops at a few megabytes). */
export const IMPORT_MAX_BYTES = 512 * MEGABYTE;
const FIELD_LIMIT = 20;
const FIELD_BYTES_LIMIT = 64 * 1024;
const TEMP_PREFIX = 'broadsheet-import-';

/** The limit for this app: `app.locals.importMaxBytes` when set (the tests set a small one), else IMPORT_MAX_BYTES. */
export function importMaxBytesOf(req: Request): number {
  const configured: unknown = req.app.locals.importMaxBytes;
  return typeof configured === 'number' ? configured : IMPORT_MAX_BYTES;
}

const privateTempFile: StorageEngine = {
  _handleFile(_req, file, callback) {
    const filePath = path.join(tmpdir(), `${TEMP_PREFIX}${randomBytes(12).toString('hex')}.xml`);
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    pipeline(file.stream, createWriteStream(filePath, { flags: 'wx', mode: 0o600 })).then(
      () => callback(null, { path: filePath, size }),
      (error: Error) => {
        void removeUpload(filePath);
        callback(error);
      },
    );
  },
  _removeFile(_req, file, callback) {
    removeUpload(file.path).then(() => callback(null), callback);
  },
};

/** Nothing is written for a request whose token is missing or wrong. */
function tokenBeforeFile(req: Request, _file: Express.Multer.File, callback: multer.FileFilterCallback) {
  verifyCsrfFieldOrHeader(req, req.res!, (error?: unknown) => (error ? callback(error as Error) : callback(null, true)));
}

function parserFor(maxBytes: number) {
  return multer({
    storage: privateTempFile,
    fileFilter: tokenBeforeFile,
    defParamCharset: 'utf8',
    limits: {
      files: 1,
      fileSize: maxBytes,
      fields: FIELD_LIMIT,
      parts: FIELD_LIMIT + 1,
      fieldSize: FIELD_BYTES_LIMIT,
      fieldNameSize: 100,
    },
  }).single('file');
}

function multipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof HttpError) return error;
  if (!(error instanceof MulterError)) return new HttpError(400, 'The upload could not be read. Please send it again.');
  if (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT') {
    return new HttpError(422, 'Send one export file, in the field named “file”.');
  }
  if (error.code === 'LIMIT_FILE_SIZE') {
    return new HttpError(
      413,
      `That file is larger than this site imports through the browser (${formatMegabytes(maxBytes)}). Use npm run import on the server for it.`,
    );
  }
  return new HttpError(413, 'What you sent is larger than this form accepts. Shorten the mappings and try again.');
}

/** The import form, its file streamed to a temporary file under the size limit. */
export function importUploadBody(req: Request, res: Response, next: NextFunction) {
  const maxBytes = importMaxBytesOf(req);
  parserFor(maxBytes)(req, res, (error?: unknown) => next(error === undefined ? undefined : multipartError(error, maxBytes)));
}

export interface ImportUpload {
  path: string;
  size: number;
  originalName: string;
}

/** The stored upload, or null when no file (or an empty one) was sent; an empty file is removed at once. */
export async function uploadedExport(req: Request): Promise<ImportUpload | null> {
  const file = req.file;
  if (!file?.path) return null;
  if (file.size === 0) {
    await removeUpload(file.path);
    return null;
  }
  const originalName = Array.from(file.originalname.replace(/[\p{Cc}\p{Cs}]/gu, ''))
    .slice(0, 255)
    .join('');
  return { path: file.path, size: file.size, originalName };
}

/** Removes a temporary upload; one already gone is fine. */
export async function removeUpload(filePath: string | undefined): Promise<void> {
  if (filePath) await rm(filePath, { force: true });
}
