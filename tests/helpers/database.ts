import { after, before, beforeEach } from 'node:test';
import type { Knex } from 'knex';
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

/**
 * Empties every table (the migrations' own excepted) and gives the demo
 * article back, with ids starting at 1 again. Plain DELETEs, children
 * before the tables they reference, in one transaction: on tables this small
 * they take a few milliseconds where a TRUNCATE of them all makes PostgreSQL
 * replace every table's and index's files. The row triggers fire as for any
 * delete; the NOTIFY a TRUNCATE would send tells the app's page cache too.
 */
export async function resetDatabase(db: Database): Promise<void> {
  const tables = await tablesChildrenFirst(db);
  await db.transaction(async (trx) => {
    if (tables.length > 0) await trx.raw(tables.map((table) => `DELETE FROM "${table}";`).join('\n'));
    await trx.raw(`
      SELECT setval(sequence.oid::regclass, 1, false)
        FROM pg_class sequence
        JOIN pg_depend owner ON owner.objid = sequence.oid AND owner.deptype IN ('a', 'i')
        JOIN pg_class owning ON owning.oid = owner.refobjid
       WHERE sequence.relkind = 'S' AND owning.relnamespace = 'public'::regnamespace AND owning.relname NOT LIKE 'knex\\_%'`);
    await trx.raw(`SELECT pg_notify('page_changes', 'all')`);
  });
  await seedDemoArticle(db);
}

const deletionOrders = new WeakMap<Database, Promise<string[]>>();

/** The public tables in an order that deletes no row another table still references (self-references aside). */
function tablesChildrenFirst(db: Database): Promise<string[]> {
  let order = deletionOrders.get(db);
  if (!order) {
    order = readDeletionOrder(db);
    deletionOrders.set(db, order);
  }
  return order;
}

async function readDeletionOrder(db: Database): Promise<string[]> {
  const tables = await db('pg_tables')
    .select<{ tablename: string }[]>('tablename')
    .where({ schemaname: 'public' })
    .whereNotIn('tablename', ['knex_migrations', 'knex_migrations_lock']);
  const { rows: references } = await db.raw<{ rows: Array<{ child: string; parent: string }> }>(`
    SELECT child.relname AS child, parent.relname AS parent
      FROM pg_constraint reference
      JOIN pg_class child ON child.oid = reference.conrelid
      JOIN pg_class parent ON parent.oid = reference.confrelid
     WHERE reference.contype = 'f' AND reference.connamespace = 'public'::regnamespace AND child.oid <> parent.oid`);
  const left = new Set(tables.map((table) => table.tablename));
  const order: string[] = [];
  while (left.size > 0) {
    const referenced = new Set(references.filter((reference) => left.has(reference.child)).map((reference) => reference.parent));
    // A cycle of references would leave none unreferenced: take any, its references then fail loudly.
    const next = [...left].filter((table) => !referenced.has(table));
    for (const table of next.length > 0 ? next : [[...left][0]!]) {
      order.push(table);
      left.delete(table);
    }
  }
  return order;
}

/** Every query `db` runs while `action` does, as knex sends it (SQL with $1… placeholders, and bindings). */
export async function statementsDuring(db: Database, action: () => Promise<unknown>): Promise<Knex.Sql[]> {
  const seen: Knex.Sql[] = [];
  const record = (query: Knex.Sql) => void seen.push(query);
  db.on('query', record);
  try {
    await action();
  } finally {
    db.off('query', record);
  }
  return seen;
}

/** The SQL of every query `db` runs while `action` does. */
export async function queriesDuring(db: Database, action: () => Promise<unknown>): Promise<string[]> {
  return (await statementsDuring(db, action)).map((statement) => statement.sql);
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
