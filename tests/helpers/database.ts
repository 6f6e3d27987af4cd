import { after, before, beforeEach } from 'node:test';
import { connectDatabase, type Database } from '../../src/platform/db/connection.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { seedDemoArticle } from '../../src/platform/db/seed-demo.js';

export const DEMO_SLUG = 'xi-ducks-putins-push-for-expanded-military-ties';

function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Tests need DATABASE_URL: run them with `npm test`, which provides one.');
  return url;
}

/**
 * A real PostgreSQL for one test file: migrated once, emptied before each
 * test and given the demo article again, closed at the end.
 */
export function useTestDatabase(): { readonly db: Database } {
  const holder = {} as { db: Database };
  before(async () => {
    holder.db = connectDatabase(testDatabaseUrl());
    await migrateToLatest(holder.db);
  });
  beforeEach(async () => {
    await resetDatabase(holder.db);
  });
  after(async () => {
    await holder.db.destroy();
  });
  return holder;
}

export async function resetDatabase(db: Database): Promise<void> {
  const tables = await db('pg_tables')
    .select<{ tablename: string }[]>('tablename')
    .where({ schemaname: 'public' })
    .whereNotIn('tablename', ['knex_migrations', 'knex_migrations_lock']);
  if (tables.length > 0) {
    await db.raw(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
  }
  await seedDemoArticle(db);
}

/** The SQL of every query `db` runs while `action` does. */
export async function queriesDuring(db: Database, action: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const count = (query: { sql: string }) => void seen.push(query.sql);
  db.on('query', count);
  try {
    await action();
  } finally {
    db.off('query', count);
  }
  return seen;
}

/** Runs `body` in a transaction that is always rolled back (PostgreSQL's DDL is transactional). */
export async function inRolledBackTransaction(db: Database, body: (trx: Database) => Promise<void>): Promise<void> {
  const rollback = new Error('rolled back on purpose');
  await db
    .transaction(async (trx) => {
      await body(trx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}
