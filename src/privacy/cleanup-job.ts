import pg from 'pg';
import type { Database } from '../platform/db/connection.js';
import type { Logger } from '../platform/logger.js';
import { loadDiscussionSettings } from '../settings/index.js';
import { outboxIdsWithFiles, removeMailFiles } from './forget-mail.js';
import { clearOldMailText, mailIdsWithText } from './mail-queries.js';
import {
  clearOldCommentIps,
  deleteExpiredRateLimits,
  deleteExpiredSessions,
  deleteSpentInvitations,
  deleteSpentPasswordResets,
  deleteUsedRecoveryCodes,
  dropAbandonedEnrolments,
  forgetSpentPrivacyRequests,
} from './retention-queries.js';
import { retentionCutoffs, type RetentionCutoffs } from './retention-rules.js';

/** Hourly, and once a minute after start: nothing kept is more than an hour past its period. */
export const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;
export const CLEANUP_FIRST_RUN_MS = 60 * 1000;

/** The advisory lock that keeps the job to one instance at a time (any constant no other code uses). */
const CLEANUP_LOCK_KEY = 2026_1207_33;
const BATCH = 500;
const LOCK_CLIENT_TIMEOUT_MS = 5000;

export interface CleanupReport {
  mailTextCleared: number;
  mailFilesRemoved: number;
  commentIpsCleared: number;
  sessions: number;
  rateLimits: number;
  invitations: number;
  passwordResets: number;
  recoveryCodes: number;
  twoFactorEnrolments: number;
  privacyRequests: number;
}

export type CleanupOutcome = { kind: 'done'; report: CleanupReport } | { kind: 'skipped' } | { kind: 'stopped'; report: CleanupReport };

export interface CleanupOptions {
  db: Database;
  /** The database's URL: the lock is held on a connection of its own, outside the pool and any transaction. */
  databaseUrl: string;
  outboxDir: string;
  now: Date;
  /** Asked between batches: a stopping process ends the run early; the next run carries on. */
  stopping?: () => boolean;
}

class Stopped extends Error {}

/** Repeats a batch statement until it does less than a batch; returns the total. */
async function inBatches(stopping: () => boolean, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    if (stopping()) throw new Stopped();
    const done = await batch();
    total += done;
    if (done < BATCH) return total;
  }
}

/**
 * Mail files to remove: those of the rows just cleared, and any file whose
 * row is gone or cleared (a deletion whose files could not go at once, or
 * a mail written while its comment was being deleted).
 */
async function sweepMailFiles(db: Database, outboxDir: string, cleared: string[]): Promise<number> {
  await removeMailFiles(outboxDir, cleared);
  const withFiles = await outboxIdsWithFiles(outboxDir);
  const orphans: string[] = [];
  for (let start = 0; start < withFiles.length; start += 1000) {
    const chunk = withFiles.slice(start, start + 1000);
    const kept = await mailIdsWithText(db, chunk);
    orphans.push(...chunk.filter((id) => !kept.has(id)));
  }
  await removeMailFiles(outboxDir, orphans);
  return new Set([...cleared, ...orphans]).size;
}

async function cleanUp(db: Database, outboxDir: string, cutoffs: RetentionCutoffs, stopping: () => boolean, report: CleanupReport) {
  const cleared: string[] = [];
  report.mailTextCleared = await inBatches(stopping, async () => {
    const ids = await clearOldMailText(db, cutoffs.mailSentBefore, BATCH);
    cleared.push(...ids);
    return ids.length;
  });
  report.mailFilesRemoved = await sweepMailFiles(db, outboxDir, cleared);
  report.commentIpsCleared = await inBatches(stopping, () => clearOldCommentIps(db, cutoffs, BATCH));
  report.sessions = await inBatches(stopping, () => deleteExpiredSessions(db, cutoffs, BATCH));
  report.rateLimits = await inBatches(stopping, () => deleteExpiredRateLimits(db, cutoffs, BATCH));
  report.invitations = await inBatches(stopping, () => deleteSpentInvitations(db, cutoffs, BATCH));
  report.passwordResets = await inBatches(stopping, () => deleteSpentPasswordResets(db, cutoffs, BATCH));
  report.recoveryCodes = await inBatches(stopping, () => deleteUsedRecoveryCodes(db, cutoffs, BATCH));
  report.twoFactorEnrolments = await inBatches(stopping, () => dropAbandonedEnrolments(db, cutoffs, BATCH));
  report.privacyRequests = await inBatches(stopping, () => forgetSpentPrivacyRequests(db, cutoffs, BATCH));
}

const emptyReport = (): CleanupReport => ({
  mailTextCleared: 0,
  mailFilesRemoved: 0,
  commentIpsCleared: 0,
  sessions: 0,
  rateLimits: 0,
  invitations: 0,
  passwordResets: 0,
  recoveryCodes: 0,
  twoFactorEnrolments: 0,
  privacyRequests: 0,
});

/**
 * One run of the clean-up, on one instance at a time: it takes a
 * session-level advisory lock on a connection of its own and skips when
 * another instance holds it. The work goes through the pool in short
 * statements that commit one by one; should the process die, its lock goes
 * with its connection.
 */
export async function runCleanupOnce(options: CleanupOptions): Promise<CleanupOutcome> {
  const stopping = options.stopping ?? (() => false);
  const lock = new pg.Client({
    connectionString: options.databaseUrl,
    application_name: 'broadsheet-cleanup',
    connectionTimeoutMillis: LOCK_CLIENT_TIMEOUT_MS,
    query_timeout: LOCK_CLIENT_TIMEOUT_MS,
  });
  // A connection lost while the job runs is reported by the next query on it, not thrown at the process.
  lock.on('error', () => {});
  await lock.connect();
  try {
    const taken = await lock.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [CLEANUP_LOCK_KEY]);
    if (!taken.rows[0]?.taken) return { kind: 'skipped' };
    const report = emptyReport();
    try {
      const settings = await loadDiscussionSettings(options.db);
      await cleanUp(options.db, options.outboxDir, retentionCutoffs(options.now, settings), stopping, report);
    } catch (error) {
      if (error instanceof Stopped) return { kind: 'stopped', report };
      throw error;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [CLEANUP_LOCK_KEY]).catch(() => undefined);
    }
    return { kind: 'done', report };
  } finally {
    await lock.end().catch(() => undefined);
  }
}

export interface CleanupJobOptions {
  db: Database;
  databaseUrl: string;
  outboxDir: string;
  logger: Logger;
  firstRunMs?: number;
  intervalMs?: number;
  now?: () => Date;
}

/**
 * Runs the clean-up shortly after start and then every `intervalMs`, in
 * every app process: the advisory lock lets one of them do it. `stop()`
 * ends a run in progress at its next batch and waits for it.
 */
export function startCleanupJob(options: CleanupJobOptions) {
  const { logger } = options;
  let running: Promise<void> | null = null;
  let stopping = false;
  const tick = () => {
    running ??= runCleanupOnce({ ...options, now: options.now?.() ?? new Date(), stopping: () => stopping })
      .then((outcome) => {
        if (outcome.kind === 'skipped') logger.debug('privacy clean-up skipped: another instance is running it');
        else logger.info({ ...outcome.report, ...(outcome.kind === 'stopped' ? { stopped: true } : {}) }, 'privacy clean-up');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'privacy clean-up could not finish; it runs again later'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, options.firstRunMs ?? CLEANUP_FIRST_RUN_MS);
  const timer = setInterval(tick, options.intervalMs ?? CLEANUP_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopping = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
