import type { Database } from './connection.js';

/** The tables every comment post writes (the counts through a trigger). */
const POSTING_TABLES = ['comments', 'rate_limits', 'comment_counts', 'mail_outbox'];

/**
 * Whether a comment could be written now, at the cost of three round trips
 * and no row: takes the lock an INSERT takes, NOWAIT, and rolls back. A
 * table locked by a migration or by hand fails this at once (55P03), where
 * a post would wait out its lock timeout.
 */
export async function probePostingTables(db: Database): Promise<void> {
  const rolledBack = new Error('rolled back on purpose');
  await db
    .transaction(async (trx) => {
      await trx.raw(`LOCK TABLE ${POSTING_TABLES.map(() => '??').join(', ')} IN ROW EXCLUSIVE MODE NOWAIT`, POSTING_TABLES);
      throw rolledBack;
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error;
    });
}
