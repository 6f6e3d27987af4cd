import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config.js';
import { boundedClient } from './db/bounded-client.js';
import type { Database } from './db/connection.js';
import { connectForMigrations, migrateToLatest, STARTUP_LIMITS } from './db/migrate.js';
import { seedDemoArticle } from './db/seed-demo.js';
import { isDatabaseUnavailable, sqlStateOf } from './db/unavailable.js';
import { ensureStartupAdmin } from '../admin-auth/index.js';

type Say = (message: string) => void;

export interface RetryDelays {
  firstMs: number;
  maxMs: number;
}

const RETRY_DELAYS: RetryDelays = { firstMs: 500, maxMs: 5000 };
const STARTUP_LOCK_KEY = "hashtext('broadsheet start-up')";

/**
 * At start-up, whatever makes the database unavailable while serving
 * (refused, silent, starting up, out of connections, not accepting
 * connections) means "not yet" rather than "wrong", and so does a database
 * its container has not created yet (3D000). A wrong password or a failed
 * migration is not retried.
 */
function isNotYetAvailable(error: unknown): boolean {
  return isDatabaseUnavailable(error) || sqlStateOf(error) === '3D000';
}

/** The advisory lock is awaited on purpose, for as long as another instance migrates: only connecting is bounded. */
const LockSession = boundedClient(STARTUP_LIMITS);

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // A refused connection to "localhost" is an AggregateError with no message of its own.
  return error.message || String((error as { code?: string }).code ?? error.name);
}

/**
 * Migrations, the demo article and the start-up admin, by one instance at a
 * time: instances started together would otherwise race for knex's
 * migration lock (the loser stops) and for the first admin. The lock is a
 * PostgreSQL advisory lock, held by its own session and released with it.
 */
async function underStartupLock<T>(url: string, say: Say, work: () => Promise<T>): Promise<T> {
  const session = new LockSession({ connectionString: url, application_name: 'broadsheet-startup' });
  // A connection lost while waiting fails the query in progress, which is what reports it.
  session.on('error', () => {});
  try {
    await session.connect();
    const { rows } = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${STARTUP_LOCK_KEY}) AS locked`);
    if (!rows[0]?.locked) {
      say('Another instance is preparing the database; waiting for it…');
      await session.query(`SELECT pg_advisory_lock(${STARTUP_LOCK_KEY})`);
    }
    return await work();
  } finally {
    await session.end().catch(() => {});
  }
}

async function announceStartupAdmin(db: Database, config: Config, say: Say) {
  const admin = await ensureStartupAdmin(db, { username: config.adminUsername, password: config.adminPassword });
  if (admin.kind === 'configured') say(`Created the admin "${admin.username}" from ADMIN_USERNAME.`);
  if (admin.kind === 'generated') {
    say('');
    say('  No admin account existed, so one was created. This password is shown only once:');
    say(`    username: ${admin.username}`);
    say(`    password: ${admin.password}`);
    say(`  Sign in at ${config.baseUrl}/admin/login, then change it on ${config.baseUrl}/admin/account`);
    say('  (or create your own admin: npm run admin -- create <username> --display-name "Your Name").');
    say('');
  }
}

async function prepareOnce(url: string, config: Config, say: Say): Promise<void> {
  await underStartupLock(url, say, async () => {
    const db = connectForMigrations(url);
    try {
      await migrateToLatest(db, say);
      if (await seedDemoArticle(db)) say('Loaded the demo article.');
      await announceStartupAdmin(db, config, say);
    } finally {
      await db.destroy();
    }
  });
}

/**
 * What must happen once before any process serves: migrate, load the demo
 * article, create the start-up admin. While the database does not answer it
 * keeps trying, with back-off, saying so each time, until `signal` aborts.
 */
export async function prepareDatabase(
  url: string,
  config: Config,
  say: Say,
  signal: AbortSignal,
  delays: RetryDelays = RETRY_DELAYS,
): Promise<void> {
  for (let delay = delays.firstMs; ; delay = Math.min(delay * 2, delays.maxMs)) {
    signal.throwIfAborted();
    try {
      return await prepareOnce(url, config, say);
    } catch (error) {
      if (!isNotYetAvailable(error)) throw error;
      say(`The database does not answer yet (${reasonOf(error)}); trying again in ${(delay / 1000).toFixed(1)} s…`);
      await sleep(delay, undefined, { signal });
    }
  }
}
