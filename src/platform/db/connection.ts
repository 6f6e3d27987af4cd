import knex, { type Knex } from 'knex';
import pg from 'pg';

export type Database = Knex;

const TIMEOUTS = '-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=10000';

/**
 * What a pool's sessions are for. 'general': every query of the app, each
 * planned for its own values (force_custom_plan: see prepared.ts).
 * 'posting': only the two prepared statements of a comment post, planned
 * once per session and never as a scan of a whole table: generic plans
 * with sequential scans priced out, so a plan made while `comments` was
 * small still uses its indexes when it is large. Planning each post was
 * about 45 % of PostgreSQL's CPU per post.
 */
export type PoolPurpose = 'general' | 'posting';

const PLANNING: Record<PoolPurpose, string> = {
  general: '-c plan_cache_mode=force_custom_plan',
  posting: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off',
};

/**
 * A knex with its own pool. Timeouts are short on purpose: a request waiting
 * on a database that is gone should fail in seconds, not hang for a minute.
 */
export function connectDatabase(url: string, poolSize = 10, purpose: PoolPurpose = 'general'): Database {
  return knex({
    client: 'pg',
    connection: {
      connectionString: url,
      connectionTimeoutMillis: 3000,
      options: `${TIMEOUTS} ${PLANNING[purpose]}`,
      application_name: purpose === 'posting' ? 'broadsheet-posting' : 'broadsheet',
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
