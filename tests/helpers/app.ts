import { tmpdir } from 'node:os';
import type { Express } from 'express';
import pg from 'pg';
import { createApp, memoOf, pageCacheOf } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import type { Database } from '../../src/platform/db/connection.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { startPageChangeListener, type PageChangeListener } from '../../src/platform/page-cache/index.js';

export const TEST_COOKIE_SECRET = 'test-cookie-secret-that-is-long-enough-123';

let sessionPool: pg.Pool | undefined;

/** One session pool per test process; it lets the process exit once idle. */
function testSessionPool(): pg.Pool {
  sessionPool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, allowExitOnIdle: true });
  return sessionPool;
}

/** Where a knex connects, so its page-change listener listens to the same database. */
function connectionStringOf(db: Database): string | undefined {
  const connection: unknown = db.client.config.connection;
  if (typeof connection === 'string') return connection;
  if (connection && typeof connection === 'object' && 'connectionString' in connection) {
    return String(connection.connectionString);
  }
  return undefined;
}

const listeners = new Map<string, PageChangeListener>();

function listenerFor(url: string): PageChangeListener {
  let listener = listeners.get(url);
  if (!listener) {
    listener = startPageChangeListener({
      connectionString: url,
      logger: createLogger('silent'),
      retryDelayMs: { first: 20, max: 500 },
    });
    listeners.set(url, listener);
  }
  return listener;
}

// Started with the test file, so it is listening before its first test runs.
if (process.env.DATABASE_URL) listenerFor(process.env.DATABASE_URL);

/**
 * The page-change listener of the test process for this database, shared by
 * every app built over it (tests build many apps; each would otherwise hold
 * a connection). Its connection never keeps the process alive.
 */
export function pageChangesFor(db: Database): PageChangeListener | undefined {
  const url = connectionStringOf(db);
  return url ? listenerFor(url) : undefined;
}

export interface TestAppOptions {
  now?: () => number;
  logger?: Logger;
  pageCacheBytes?: number;
}

/**
 * The real app over the test database, configured as in production where it
 * matters: its page cache is fed by a page-change listener, which starts
 * listening within milliseconds (until then nothing is cached and every page
 * is rendered, as after a lost connection).
 */
export function buildTestApp(db: Database, environment: NodeJS.ProcessEnv = {}, options: TestAppOptions = {}): Express {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir(), ...environment });
  const app = createApp({
    config,
    db,
    cookieSecret: TEST_COOKIE_SECRET,
    logger: options.logger ?? createLogger('silent'),
    sessionPool: testSessionPool(),
    now: options.now,
    pageCacheBytes: options.pageCacheBytes,
  });
  pageChangesFor(db)?.attach(pageCacheOf(app), db);
  pageChangesFor(db)?.attach(memoOf(app), db);
  return app;
}

/** Resolves once the app's page cache trusts notifications (no query per hit). */
export async function untilListening(db: Database): Promise<void> {
  await pageChangesFor(db)?.whenListening();
}
