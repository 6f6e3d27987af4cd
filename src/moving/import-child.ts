import { rm } from 'node:fs/promises';
import { connectDatabase } from '../platform/db/connection.js';
import { importDisqus } from './disqus-import.js';
import type { ChildOrder, ChildReport } from './import-jobs.js';
import { importWordpress, ImportRefused, type ImportProgress, type ImportSummary } from './wordpress-import.js';

/**
 * The child process an admin-page import runs in (forked by import-jobs):
 * it takes one order over IPC, runs the importer, reports progress at most
 * a few times a second and then its outcome, removes the uploaded file and
 * exits. When the app goes away mid-import the channel closes and the child
 * stops too; the importers are idempotent, so a second run completes it.
 */

const PROGRESS_EVERY_MS = 250;

function report(message: ChildReport): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

function progressReporter(): (progress: ImportProgress) => void {
  let last = 0;
  return ({ done, total }) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    void report({ kind: 'progress', done, total });
  };
}

async function run(order: ChildOrder): Promise<ChildReport> {
  const db = connectDatabase(order.databaseUrl, 2);
  try {
    const { request, filePath } = order;
    const summary: ImportSummary =
      request.source === 'wordpress'
        ? await importWordpress(db, filePath, request.options, progressReporter())
        : await importDisqus(db, filePath, request.options, progressReporter());
    return { kind: 'finished', summary };
  } catch (error) {
    if (error instanceof ImportRefused) return { kind: 'refused', message: error.message };
    process.stderr.write(`The import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return { kind: 'failed' };
  } finally {
    await db.destroy().catch(() => {});
    await rm(order.filePath, { force: true }).catch(() => {});
  }
}

process.once('disconnect', () => process.exit(1));
process.once('message', (order: ChildOrder) => {
  void run(order)
    .then(report)
    .finally(() => process.exit(0));
});
