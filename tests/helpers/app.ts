import { tmpdir } from 'node:os';
import type { Express } from 'express';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connection.js';
import { createLogger } from '../../src/logger.js';

export const TEST_COOKIE_SECRET = 'test-cookie-secret-that-is-long-enough-123';

let sessionPool: pg.Pool | undefined;

/** One session pool per test process; it lets the process exit once idle. */
function testSessionPool(): pg.Pool {
  sessionPool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, allowExitOnIdle: true });
  return sessionPool;
}

export interface TestAppOptions {
  now?: () => number;
}

/** The real app over the test database, configured as in production where it matters. */
export function buildTestApp(db: Database, environment: NodeJS.ProcessEnv = {}, options: TestAppOptions = {}): Express {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir(), ...environment });
  return createApp({
    config,
    db,
    cookieSecret: TEST_COOKIE_SECRET,
    logger: createLogger('silent'),
    sessionPool: testSessionPool(),
    now: options.now,
  });
}
