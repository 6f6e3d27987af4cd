import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportRequest } from './import-form.js';
import { removeUpload } from './import-upload.js';

/**
 * Imports started from the admin page, each run by a child process of its
 * own (import-child), so a large export never weighs on the app's memory.
 * The jobs are kept in this process's memory only: the progress page must
 * be served by the process that started the import (with several worker
 * processes or instances, use `npm run import` on the server instead). One
 * import runs at a time per process; a second is refused until it ends.
 */

/** What the child reports at the end (the importers' ImportSummary, as sent over IPC). */
export interface ImportSummaryReport {
  lines: string[];
  counts: Record<string, number>;
  skipped: Array<{ item: string; reason: string }>;
  problems: string[];
}

/** Messages from the child, in order: progress any number of times, then exactly one of the others. */
export type ChildReport =
  | { kind: 'progress'; done: number; total: number | null }
  | { kind: 'finished'; summary: ImportSummaryReport }
  | { kind: 'refused'; message: string }
  | { kind: 'failed' };

/** The one message the child is sent: what to import, and where. */
export interface ChildOrder {
  databaseUrl: string;
  filePath: string;
  request: ImportRequest;
}

export type ImportJobState =
  | { kind: 'running'; done: number; total: number | null }
  | { kind: 'finished'; summary: ImportSummaryReport }
  | { kind: 'refused'; message: string }
  | { kind: 'failed'; message: string };

export interface ImportJob {
  id: string;
  /** The admin session that started it: only that session sees it. */
  sessionId: string;
  source: ImportRequest['source'];
  dryRun: boolean;
  fileName: string;
  startedAt: Date;
  finishedAt: Date | null;
  state: ImportJobState;
}

const FAILED_MESSAGE =
  'The import stopped because of an error on the server (its log says which). ' +
  'Everything imported before it stays; importing the same file again completes it without duplicates.';

/** Finished jobs are kept this long, for their summary page. */
const KEEP_FINISHED_MS = 6 * 60 * 60 * 1000;
const KEEP_FINISHED_COUNT = 20;

const jobs = new Map<string, ImportJob>();

/** The child's entry, beside this file: `.ts` under tsx (fork passes tsx's loader on in execArgv), `.js` once built. */
const CHILD_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), `import-child${path.extname(fileURLToPath(import.meta.url))}`);

export function runningImport(): ImportJob | null {
  return [...jobs.values()].find((job) => job.state.kind === 'running') ?? null;
}

/** The job, when this session started it. */
export function importJobOf(id: string, sessionId: string): ImportJob | null {
  const job = jobs.get(id);
  return job && job.sessionId === sessionId ? job : null;
}

function forget(now: number): void {
  const finished = [...jobs.values()].filter((job) => job.finishedAt);
  finished.forEach((job, index) => {
    if (now - job.finishedAt!.getTime() > KEEP_FINISHED_MS || finished.length - index > KEEP_FINISHED_COUNT) jobs.delete(job.id);
  });
}

function finish(job: ImportJob, state: Exclude<ImportJobState, { kind: 'running' }>): void {
  if (job.state.kind !== 'running') return;
  job.state = state;
  job.finishedAt = new Date();
}

function childEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  // A test file's marker would make the child speak the test runner's protocol.
  delete environment.NODE_TEST_CONTEXT;
  return environment;
}

function follow(job: ImportJob, child: ChildProcess, filePath: string): void {
  child.on('message', (report: ChildReport) => {
    if (report.kind === 'progress') {
      if (job.state.kind === 'running') job.state = { kind: 'running', done: report.done, total: report.total };
    } else if (report.kind === 'finished') finish(job, { kind: 'finished', summary: report.summary });
    else if (report.kind === 'refused') finish(job, { kind: 'refused', message: report.message });
    else finish(job, { kind: 'failed', message: FAILED_MESSAGE });
  });
  const ended = () => {
    finish(job, { kind: 'failed', message: FAILED_MESSAGE });
    void removeUpload(filePath);
  };
  // 'close', not 'exit': it comes after the last message the child sent.
  child.once('close', ended);
  child.once('error', ended);
}

/**
 * Starts the import of the uploaded file at `filePath` (which it then owns
 * and removes), or returns null when another import is still running here.
 */
export function startImport(input: {
  sessionId: string;
  databaseUrl: string;
  filePath: string;
  fileName: string;
  request: ImportRequest;
}): ImportJob | null {
  if (runningImport()) return null;
  forget(Date.now());
  const job: ImportJob = {
    id: randomBytes(16).toString('base64url'),
    sessionId: input.sessionId,
    source: input.request.source,
    dryRun: input.request.options.dryRun,
    fileName: input.fileName,
    startedAt: new Date(),
    finishedAt: null,
    state: { kind: 'running', done: 0, total: null },
  };
  jobs.set(job.id, job);
  // A bounded heap: the import reads one item at a time, and V8 would otherwise grow its heap far past what that needs.
  const execArgv = [...process.execArgv, '--max-old-space-size=128'];
  const child = fork(CHILD_PATH, [], { env: childEnvironment(), execArgv, serialization: 'json' });
  follow(job, child, input.filePath);
  const order: ChildOrder = { databaseUrl: input.databaseUrl, filePath: input.filePath, request: input.request };
  child.send(order);
  // The app's shutdown never waits for an import: a stopped import is completed by running it again.
  child.unref();
  child.channel?.unref();
  return job;
}
