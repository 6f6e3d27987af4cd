import knex, { type Knex } from 'knex';
import pg from 'pg';

export type Database = Knex;

const TIMEOUTS = '-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=10000';

/**
 * A knex with its own pool. Timeouts are short on purpose: a request waiting
 * on a database that is gone should fail in seconds, not hang for a minute.
 */
export function connectDatabase(url: string, poolSize = 10): Database {
  return knex({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: 3000,
      options: TIMEOUTS,
      application_name: 'broadsheet',
    },
    pool: { min: 0, max: poolSize },
    acquireConnectionTimeout: 3000,
    // Failures reach the caller as errors and are logged there, once.
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

/**
 * A small pg.Pool for the session store. Without an `error` listener a
 * dropped idle connection would crash the process.
 */
export function createSessionPool(url: string, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30000 });
  pool.on('error', onError);
  return pool;
}
