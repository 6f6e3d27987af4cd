import knex, { type Knex } from 'knex';
import pg from 'pg';
import { BoundedPool, boundedClient, type ClientLimits } from './bounded-client.js';
import { followResourceRefusals } from './readiness.js';

export type Database = Knex;

/** A statement's text with its positional bindings (`?`), meant as part of a larger statement. */
export interface SqlPart {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** Every wait on the database, client side (ClientLimits) and server side (PostgreSQL's own settings; null: none). */
export interface DatabaseLimits extends ClientLimits {
  statementMs: number | null;
  lockMs: number | null;
  idleInTransactionMs: number | null;
}

/**
 * For serving requests: a reader or commenter hears 503 within about 3 s
 * whatever the database does. The server ends a statement itself a little
 * before the client gives up on it, so a slow statement fails cleanly
 * (57014) and only a silent server meets the client's limit.
 */
export const SERVING_LIMITS: Readonly<DatabaseLimits> = {
  connectMs: 3000,
  answerMs: 3000,
  statementMs: 2500,
  lockMs: 2000,
  idleInTransactionMs: 10_000,
};

/** For tools, scripts and tests: the server's limits alone, so a long data load may run its course. */
export const TOOL_LIMITS: Readonly<DatabaseLimits> = {
  connectMs: 3000,
  answerMs: null,
  statementMs: 5000,
  lockMs: 2000,
  idleInTransactionMs: 10_000,
};

/** PostgreSQL's start-up `options` that set the server-side limits. */
export function sessionSettings(limits: DatabaseLimits): string {
  const settings: Array<[string, number | null]> = [
    ['statement_timeout', limits.statementMs],
    ['lock_timeout', limits.lockMs],
    ['idle_in_transaction_session_timeout', limits.idleInTransactionMs],
  ];
  return settings
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}

/**
 * knex makes each pooled connection with `new driver.Client(settings)`:
 * giving it the bounded client is what puts the limits on every connection
 * it makes.
 */
export function useBoundedClients(db: Database, limits: ClientLimits): void {
  (db.client as { driver: typeof pg }).driver = { ...pg, Client: boundedClient(limits) };
}

/** A knex with its own pool, whose waits are `limits`; knex's acquire timeout bounds the wait for a free connection. */
export function connectDatabase(url: string, poolSize = 10, limits: Readonly<DatabaseLimits> = TOOL_LIMITS): Database {
  const db = knex({
    client: 'pg',
    connection: { connectionString: url, options: sessionSettings(limits), application_name: 'broadsheet' },
    pool: { min: 0, max: poolSize },
    acquireConnectionTimeout: limits.connectMs,
    // Failures reach the caller as errors and are logged there, once.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
  useBoundedClients(db, limits);
  followResourceRefusals(db);
  return db;
}

/**
 * A small pg.Pool for the session store, with the serving limits. Without
 * an `error` listener a dropped idle connection would crash the process.
 */
export function createSessionPool(
  url: string,
  onError: (error: Error) => void,
  limits: Readonly<DatabaseLimits> = SERVING_LIMITS,
): pg.Pool {
  const pool = new BoundedPool({
    connectionString: url,
    application_name: 'broadsheet-sessions',
    options: sessionSettings(limits),
    max: 4,
    connectionTimeoutMillis: limits.connectMs,
    idleTimeoutMillis: 30_000,
    Client: boundedClient(limits),
  });
  pool.on('error', onError);
  return pool;
}
