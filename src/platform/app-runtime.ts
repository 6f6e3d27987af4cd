import type { Express } from 'express';
import { createApp, memoOf, pageCacheOf } from '../app.js';
import type { Config } from './config.js';
import { connectDatabase, createSessionPool, SERVING_LIMITS } from './db/connection.js';
import type { Logger } from './logger.js';
import { createMailer } from '../mail/index.js';
import { startOutboxWorker } from '../mail/index.js';
import { startPageChangeListener } from './page-cache/index.js';
import { startScheduler } from '../articles/index.js';
import { startCleanupJob } from '../privacy/index.js';
import { outboxDirOf } from '../privacy/index.js';
import { CLOSING_RESERVE_MS, Shutdown, STOP_WITHIN_MS } from './serving.js';

/** What a serving process needs from the one that prepared the database. */
export interface PreparedDatabase {
  url: string;
  cookieSecret: string;
}

export interface AppRuntime {
  app: Express;
  /** Releases everything the app holds, by the shutdown's deadline: call once no request is in flight. */
  close(shutdown?: Shutdown): Promise<void>;
}

export interface RuntimeOptions {
  /** How often scheduled articles are published; tests make it short. */
  schedulerIntervalMs?: number;
  /** When the privacy clean-up first runs after start; tests make it short. */
  cleanupFirstRunMs?: number;
}

/**
 * The app and what runs beside it in each serving process: its pools, the
 * page-change listener that keeps its cache fresh, a mail outbox worker
 * (every process runs one; SKIP LOCKED leases keep them from sending a mail
 * twice) and the scheduler that publishes scheduled articles (every process
 * runs one too; publishing twice is publishing once), and the privacy
 * clean-up (every process runs one; an advisory lock lets one at a time work).
 */
export function startAppRuntime(config: Config, logger: Logger, database: PreparedDatabase, options: RuntimeOptions = {}): AppRuntime {
  const db = connectDatabase(database.url, 10, SERVING_LIMITS);
  const sessionPool = createSessionPool(database.url, (error) => logger.warn({ err: error }, 'session pool connection lost'));
  const app = createApp({ config, db, cookieSecret: database.cookieSecret, logger, sessionPool });
  const pageChanges = startPageChangeListener({ connectionString: database.url, logger });
  pageChanges.attach(pageCacheOf(app), db);
  pageChanges.attach(memoOf(app), db);

  const host = new URL(config.baseUrl).hostname;
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    outboxDir: outboxDirOf(config.dataDir),
    from: `Broadsheet <noreply@${host}>`,
    messageIdDomain: host,
  });
  const outbox = startOutboxWorker(db, mailer, logger);
  const scheduler = startScheduler(db, logger, options.schedulerIntervalMs);
  const cleanup = startCleanupJob({
    db,
    databaseUrl: database.url,
    outboxDir: outboxDirOf(config.dataDir),
    logger,
    firstRunMs: options.cleanupFirstRunMs,
  });
  return {
    app,
    async close(shutdown = new Shutdown(Date.now() + STOP_WITHIN_MS)) {
      // What uses the pools stops first; then the connections close together, each within the reserve.
      await Promise.all([
        shutdown.step('stopping the scheduler', scheduler.stop()),
        shutdown.step('stopping the privacy clean-up', cleanup.stop()),
        shutdown.step(
          'stopping the mail outbox worker',
          outbox.stop().then(() => mailer.close()),
        ),
      ]);
      const closing = (what: string, work: Promise<unknown>) => shutdown.step(what, work, CLOSING_RESERVE_MS);
      await Promise.all([
        closing('closing the page-change listener', pageChanges.close()),
        closing('closing the session pool', sessionPool.end()),
        closing('closing the database pool', db.destroy()),
      ]);
    },
  };
}
