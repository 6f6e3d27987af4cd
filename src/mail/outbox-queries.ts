import type { Database } from '../platform/db/connection.js';

export interface OutboxRow {
  id: string;
  dedupe_key: string;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  /** The link for the List-Unsubscribe header; set on mail to commenters, null on mail to staff. */
  list_unsubscribe: string | null;
}

export type NewMail = Pick<OutboxRow, 'dedupe_key' | 'kind' | 'recipient' | 'subject' | 'body'> & {
  /** Held back until then (a digest waits for the end of its period). */
  next_attempt_at?: Date;
  list_unsubscribe?: string | null;
};

/** Queues a mail; a second mail for the same event (dedupe key) is ignored. */
export async function enqueueMail(db: Database, mail: NewMail): Promise<boolean> {
  const inserted = await db('mail_outbox').insert(mail).onConflict('dedupe_key').ignore().returning('id');
  return inserted.length > 0;
}

/**
 * Queues `mails` as part of a larger statement (WITH … AS), only where
 * `conditionSql` holds there: the mail stands or falls with what it is
 * about. A mail already queued for the same event (dedupe key) is ignored.
 */
export function queuedMailSql(mails: readonly NewMail[], conditionSql: string): { sql: string; bindings: string[] } {
  return {
    sql: `INSERT INTO mail_outbox (dedupe_key, kind, recipient, subject, body, next_attempt_at, list_unsubscribe)
     SELECT dedupe_key, kind, recipient, subject, body, coalesce(next_attempt_at, now()), list_unsubscribe
       FROM json_populate_recordset(NULL::mail_outbox, ?::json)
      WHERE ${conditionSql}
     ON CONFLICT (dedupe_key) DO NOTHING`,
    bindings: [JSON.stringify(mails)],
  };
}

/**
 * Takes up to `limit` due mails for this worker for `leaseSeconds`. SKIP
 * LOCKED lets every app process run a worker without two taking one mail;
 * a worker that dies leaves a lease that simply runs out.
 */
export async function claimDueMails(db: Database, limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
  const result = await db.raw<{ rows: OutboxRow[] }>(
    `UPDATE mail_outbox SET attempts = attempts + 1, locked_until = now() + make_interval(secs => ?)
      WHERE id IN (
        SELECT id FROM mail_outbox
         WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
         ORDER BY next_attempt_at, id
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [leaseSeconds, limit],
  );
  return result.rows;
}

export async function markMailsSent(db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db('mail_outbox')
    .whereIn('id', ids)
    .where({ status: 'pending' })
    .update({ status: 'sent', sent_at: db.fn.now(), locked_until: null });
}

export async function markMailFailed(db: Database, id: string, error: string, retryInSeconds: number | null) {
  await db('mail_outbox')
    .where({ id, status: 'pending' })
    .update({
      last_error: error.slice(0, 2000),
      locked_until: null,
      ...(retryInSeconds === null
        ? { status: 'failed' }
        : { next_attempt_at: db.raw('now() + make_interval(secs => ?)', [retryInSeconds]) }),
    });
}

/** A claimed mail that must not go (its recipient unsubscribed since it was queued): nothing of it is kept. */
export async function discardMail(db: Database, id: string): Promise<void> {
  await db('mail_outbox').where({ id, status: 'pending' }).delete();
}
