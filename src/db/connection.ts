import knex, { type Knex } from 'knex';

export type Database = Knex;

/**
 * One knex per process. Timeouts are short on purpose: a request waiting on
 * a database that is gone should fail in seconds, not hang for a minute.
 */
export function connectDatabase(url: string, poolSize = 10): Database {
  return knex({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: 3000,
      options: '-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=10000',
      application_name: 'broadsheet',
    },
    pool: { min: 0, max: poolSize },
    acquireConnectionTimeout: 3000,
  });
}
