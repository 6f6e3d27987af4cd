import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import type { Express } from 'express';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { connectDatabase, createSessionPool, SERVING_LIMITS, type Database } from '../../src/platform/db/connection.js';
import { createLogger } from '../../src/platform/logger.js';
import { TEST_COOKIE_SECRET } from './app.js';

/**
 * The shapes of database trouble, caused for real on the test's PostgreSQL:
 * a role out of connections, a database that takes none, a table held
 * locked, statements refused the way a full disk refuses them.
 */

export interface ServingApp {
  app: Express;
  db: Database;
  close(): Promise<void>;
}

/**
 * The app over `url` with the pools it serves with (SERVING_LIMITS), fresh
 * (no connection yet) and without a page-change listener, so every page is
 * rendered and every post reads the database.
 */
export function servingAppOver(url: string, poolSize = 10): ServingApp {
  const db = connectDatabase(url, poolSize, SERVING_LIMITS);
  const sessionPool = createSessionPool(url, () => {});
  const app = createApp({
    config: loadConfig({ NODE_ENV: 'test', DATA_DIR: tmpdir() }),
    db,
    cookieSecret: TEST_COOKIE_SECRET,
    logger: createLogger('silent'),
    sessionPool,
  });
  return { app, db, close: async () => void (await Promise.all([db.destroy(), sessionPool.end()])) };
}

/** Runs `work` on a connection of its own as the server's administrator (the URL's own user). */
export async function asAdministrator<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const databaseOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

export interface AppRole {
  name: string;
  /** `url` as this role. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A login role for the app with rights on the tables, as a real deployment
 * has: a role's CONNECTION LIMIT does not bind superusers.
 */
export async function createAppRole(url: string): Promise<AppRole> {
  const name = `broadsheet_trouble_${process.pid}`;
  const password = randomBytes(12).toString('hex');
  await asAdministrator(url, async (client) => {
    const role = client.escapeIdentifier(name);
    await client.query(`DROP OWNED BY ${role}`).catch(() => {});
    await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(databaseOf(url))} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  });
  const asRole = new URL(url);
  asRole.username = name;
  asRole.password = password;
  return {
    name,
    url: asRole.toString(),
    drop: () =>
      asAdministrator(url, async (client) => {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [name]);
        await client.query(`DROP OWNED BY ${client.escapeIdentifier(name)}`);
        await client.query(`DROP ROLE ${client.escapeIdentifier(name)}`);
      }),
  };
}

/** Sets a role's CONNECTION LIMIT (-1: none). */
export function limitConnections(url: string, role: string, limit: number): Promise<unknown> {
  return asAdministrator(url, (client) => client.query(`ALTER ROLE ${client.escapeIdentifier(role)} CONNECTION LIMIT ${Number(limit)}`));
}

/** ALTER DATABASE … ALLOW_CONNECTIONS: while false, new connections fail with 55000. */
export function allowConnections(url: string, allow: boolean): Promise<unknown> {
  return asAdministrator(besideDatabase(url), (client) =>
    client.query(`ALTER DATABASE ${client.escapeIdentifier(databaseOf(url))} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`),
  );
}

/** Opens `count` connections and keeps them until released. */
export async function holdConnections(url: string, count: number): Promise<() => Promise<void>> {
  const clients = Array.from({ length: count }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((client) => client.connect()));
  return async () => void (await Promise.all(clients.map((client) => client.end())));
}

/** Holds `table` locked ACCESS EXCLUSIVE, as a migration or a DBA would, until released. */
export async function holdTableLock(url: string, table: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${client.escapeIdentifier(table)} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

/**
 * Makes every INSERT into comments run `body` (PL/pgSQL) first: a RAISE
 * with a chosen SQLSTATE stands for what cannot be caused on a shared test
 * server (a full disk). Returns how to remove it.
 */
export async function beforeCommentInserts(db: Database, body: string): Promise<() => Promise<void>> {
  await db.raw(`CREATE FUNCTION trouble_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`);
  await db.raw('CREATE TRIGGER trouble_before_insert BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION trouble_before_insert()');
  return async () => {
    await db.raw('DROP TRIGGER IF EXISTS trouble_before_insert ON comments');
    await db.raw('DROP FUNCTION IF EXISTS trouble_before_insert()');
  };
}

/** The server processes of the test's database that are waiting for a lock (a request held up by holdTableLock). */
export async function backendsWaitingForLocks(url: string): Promise<number[]> {
  const rows = await asAdministrator(url, (client) =>
    client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [databaseOf(url)]),
  );
  return rows.rows.map((row) => row.pid);
}

/** `url` on another database of the same server, to alter this one from outside. */
export function besideDatabase(url: string): string {
  const beside = new URL(url);
  beside.pathname = '/postgres';
  return beside.toString();
}
