import knex from 'knex';
import { migrationSource } from '../../../migrations/index.js';
import type { ClientLimits } from './bounded-client.js';
import { useBoundedClients, type Database } from './connection.js';

/** Start-up work may wait on the server as long as it works; reaching it is bounded. */
export const STARTUP_LIMITS: Readonly<ClientLimits> = { connectMs: 3000, answerMs: null };

/** Applies pending migrations, saying which as it goes. */
export async function migrateToLatest(db: Database, log: (message: string) => void = () => {}) {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, string[]];
  if (pending.length === 0) {
    log('Database schema is up to date.');
    return [];
  }
  log(`Applying ${pending.length} migration(s)…`);
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  applied.forEach((name, index) => log(`  [${index + 1}/${applied.length}] ${name}`));
  return applied;
}

/**
 * A small pool for start-up work. Unlike the app's, it has no statement
 * timeout and no limit on an answer: a migration that rebuilds an index
 * over a million comments takes longer than any request should. Connecting
 * is bounded, and its failures typed, as everywhere.
 */
export function connectForMigrations(url: string): Database {
  const db = knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'broadsheet-migrate' },
    pool: { min: 0, max: 4 },
    acquireConnectionTimeout: 10_000,
    // Failures reach the caller as errors and are reported there.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
  useBoundedClients(db, STARTUP_LIMITS);
  return db;
}
