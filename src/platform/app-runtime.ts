import path from 'node:path';
import type { Express } from 'express';
import { createApp, memoOf, pageCacheOf } from '../app.js';
import type { Config } from './config.js';
import { connectDatabase, createSessionPool } from './db/connection.js';
import type { Logger } from './logger.js';
import { createMailer } from '../mail/mailer.js';
import { startOutboxWorker } from '../mail/outbox-worker.js';
import { startPageChangeListener } from './page-cache/index.js';

/** What a serving process needs from the one that prepared the database. */
export interface PreparedDatabase {
  url: string;
  cookieSecret: string;
}

export interface AppRuntime {
  app: Express;
  /** Releases everything the app holds: call once no request is in flight. */
  close(): Promise<void>;
}

/**
 * The app and what runs beside it in each serving process: its pools, the
 * page-change listener that keeps its cache fresh, and a mail outbox worker
 * (every process runs one; SKIP LOCKED leases keep them from sending a mail
 * twice).
 */
export function startAppRuntime(config: Config, logger: Logger, database: PreparedDatabase): AppRuntime {
  const db = connectDatabase(database.url);
  const sessionPool = createSessionPool(database.url, (error) => logger.warn({ err: error }, 'session pool connection lost'));
  const app = createApp({ config, db, cookieSecret: database.cookieSecret, logger, sessionPool });
  const pageChanges = startPageChangeListener({ connectionString: database.url, logger });
  pageChanges.attach(pageCacheOf(app), db);
  pageChanges.attach(memoOf(app), db);

  const host = new URL(config.baseUrl).hostname;
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    outboxDir: path.join(config.dataDir, 'outbox'),
    from: `Broadsheet <noreply@${host}>`,
    messageIdDomain: host,
  });
  const outbox = startOutboxWorker(db, mailer, logger);
  return {
    app,
    async close() {
      await outbox.stop();
      mailer.close();
      await pageChanges.close();
      await sessionPool.end();
      await db.destroy();
    },
  };
}
