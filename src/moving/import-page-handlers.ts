import type { NextFunction, Request, Response } from 'express';
import { findUserByUsername } from '../admin-auth/index.js';
import { loadAdminChrome } from '../moderation/index.js';
import { contextOf } from '../platform/context.js';
import type { Database } from '../platform/db/connection.js';
import { HttpError } from '../platform/http-error.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { renderPage } from '../platform/rendering/render.js';
import { formatMegabytes } from '../media/index.js';
import {
  EMPTY_IMPORT_VALUES,
  IMPORT_SOURCES,
  importFormValues,
  parseImportForm,
  SOURCE_LABELS,
  SOURCE_NAMES,
  type ImportFieldErrors,
  type ImportFormValues,
} from './import-form.js';
import { importJobOf, runningImport, startImport, type ImportJob, type ImportSummaryReport } from './import-jobs.js';
import { importMaxBytesOf, removeUpload, uploadedExport } from './import-upload.js';

/** The admin's import: an upload form, then a page following the import to its summary (Administrators). */

export const IMPORT_PATH = '/admin/import';
/** How often the progress page reloads itself (the Refresh header: no script needed). */
const REFRESH_SECONDS = 2;

export interface ImportPageModel {
  meta: PageMeta;
  action: string;
  values: ImportFormValues;
  errors: ImportFieldErrors;
  errorSummary: Array<{ field: string; message: string }>;
  sources: Array<{ value: string; label: string }>;
  maxSize: string;
  /** Set when the form comes back: a browser never sends a chosen file again. */
  chooseFileAgain: boolean;
  /** An import already running in this process (and its page, when this session started it). */
  running: { startedAt: Date; href: string | null } | null;
}

export interface ImportJobPageModel {
  meta: PageMeta;
  fileName: string;
  /** "a WordPress export" */
  sourceName: string;
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  state: ImportJob['state']['kind'];
  /** While running: how far it is. */
  progress: { done: number; total: number | null; percent: number | null } | null;
  summary: ImportSummaryReport | null;
  /** Why it stopped, when it was refused or failed. */
  message: string | null;
  selfHref: string;
  formHref: string;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'moving/admin/import': ImportPageModel;
    'moving/admin/import-job': ImportJobPageModel;
  }
}

const jobHref = (job: ImportJob) => `${IMPORT_PATH}/${job.id}`;

async function renderImport(
  req: Request,
  res: Response,
  status: number,
  state: { values?: ImportFormValues; errors?: ImportFieldErrors } = {},
): Promise<void> {
  if (res.locals.pendingCount === undefined) await loadAdminChrome(req, res);
  const errors = state.errors ?? {};
  const running = runningImport();
  await renderPage(res, status, 'moving/admin/import', {
    meta: { title: 'Import' },
    action: IMPORT_PATH,
    values: state.values ?? EMPTY_IMPORT_VALUES,
    errors,
    errorSummary: Object.entries(errors).map(([field, message]) => ({ field, message })),
    sources: IMPORT_SOURCES.map((value) => ({ value, label: SOURCE_LABELS[value] })),
    maxSize: formatMegabytes(importMaxBytesOf(req)),
    chooseFileAgain: state.values !== undefined,
    running: running ? { startedAt: running.startedAt, href: running.sessionId === req.sessionID ? jobHref(running) : null } : null,
  });
}

/** GET /admin/import — the upload form. */
export async function showImport(req: Request, res: Response) {
  await renderImport(req, res, 200);
}

/** Where the app's own pool connects: the child connects there too (the embedded database included). */
function databaseUrlOf(db: Database): string {
  const connection: unknown = (db.client as { config: { connection: unknown } }).config.connection;
  if (typeof connection === 'string') return connection;
  if (connection && typeof connection === 'object' && 'connectionString' in connection) return String(connection.connectionString);
  throw new Error('The database connection has no connection string to give the import process.');
}

/** POST /admin/import — the file is on disk by now; starts its import in a child process and follows it (303 to its page). */
export async function startImportFromUpload(req: Request, res: Response) {
  const upload = await uploadedExport(req);
  const { db } = contextOf(req);
  // The upload is removed before any refusal is answered: nothing of it outlives the request but a started import.
  const refuse = async (status: number, values: ImportFormValues, errors: ImportFieldErrors) => {
    await removeUpload(upload?.path);
    await renderImport(req, res, status, { values, errors });
  };
  const form = await parseImportForm(req.body, async (username) => (await findUserByUsername(db, username)) !== null).catch(
    async (error: unknown) => {
      await removeUpload(upload?.path);
      throw error;
    },
  );
  const errors: ImportFieldErrors = form.ok ? {} : { ...form.errors };
  if (!upload) errors.file = 'Choose the export file to import.';
  if (!form.ok || !upload) return refuse(422, form.values, errors);
  const job = startImport({
    sessionId: req.sessionID,
    databaseUrl: databaseUrlOf(db),
    filePath: upload.path,
    fileName: upload.originalName,
    request: form.request,
  });
  if (!job) {
    return refuse(409, form.values, {
      file: 'Another import is running on this server. Wait until it has finished, then send this file again.',
    });
  }
  res.redirect(303, jobHref(job));
}

/** The upload's refusals (too large, not one file) on the form itself, with the options as sent; anything else goes on. */
export async function answerImportUploadError(error: unknown, req: Request, res: Response, next: NextFunction) {
  await removeUpload(req.file?.path);
  if (!(error instanceof HttpError) || (error.status !== 413 && error.status !== 422)) return next(error);
  await renderImport(req, res, error.status, { values: importFormValues(req.body), errors: { file: error.message } });
}

const JOB_ID = /^[A-Za-z0-9_-]{22}$/;

/** GET /admin/import/:id — the import's progress (reloading itself every 2 s), then its summary or why it stopped. */
export async function showImportJob(req: Request, res: Response) {
  const id = String(req.params.id);
  const job = JOB_ID.test(id) ? importJobOf(id, req.sessionID) : null;
  if (!job) {
    throw new HttpError(
      404,
      'There is no import at this address for you. An import’s page is kept for six hours by the server process that ran it, for the session that started it.',
    );
  }
  const { state } = job;
  if (state.kind === 'running') res.set('Refresh', String(REFRESH_SECONDS));
  const running = state.kind === 'running' ? state : null;
  await renderPage(res, 200, 'moving/admin/import-job', {
    meta: { title: running ? 'Importing…' : 'Import' },
    fileName: job.fileName,
    sourceName: SOURCE_NAMES[job.source],
    dryRun: job.dryRun,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    state: state.kind,
    progress: running
      ? {
          done: running.done,
          total: running.total,
          percent: running.total ? Math.min(100, Math.floor((running.done / running.total) * 100)) : null,
        }
      : null,
    summary: state.kind === 'finished' ? state.summary : null,
    message: state.kind === 'refused' || state.kind === 'failed' ? state.message : null,
    selfHref: jobHref(job),
    formHref: IMPORT_PATH,
  });
}
