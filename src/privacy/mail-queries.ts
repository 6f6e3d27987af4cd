import type { Database } from '../platform/db/connection.js';

/** Every outbox row about these comments or to these addresses, pending and sent alike; returns their ids. */
export async function deleteMailAbout(db: Database, commentIds: readonly string[], emails: readonly string[]): Promise<string[]> {
  if (commentIds.length === 0 && emails.length === 0) return [];
  const result = await db.raw<{ rows: Array<{ id: string }> }>(
    `DELETE FROM mail_outbox
      WHERE comment_ids && ?::bigint[]
         OR lower(recipient) = ANY(?::text[])
      RETURNING id`,
    [[...commentIds], emails.map((email) => email.toLowerCase())],
  );
  return result.rows.map((row) => String(row.id));
}

/**
 * Clears what sent (or given-up) mail said and to whom, once it was sent (or
 * last tried) before `before`; the dedupe key, kind, status and times stay,
 * so the same event still mails once. At most `limit` rows a call; returns
 * the ids cleared, whose files go next.
 */
export async function clearOldMailText(db: Database, before: Date, limit: number): Promise<string[]> {
  const result = await db.raw<{ rows: Array<{ id: string }> }>(
    `UPDATE mail_outbox
        SET recipient = '', subject = '', body = '', list_unsubscribe = NULL, last_error = NULL
      WHERE id IN (
        SELECT id FROM mail_outbox
         WHERE status <> 'pending'
           AND (recipient <> '' OR subject <> '' OR body <> '')
           AND coalesce(sent_at, next_attempt_at) < ?
         ORDER BY id
         LIMIT ?)
      RETURNING id`,
    [before, limit],
  );
  return result.rows.map((row) => String(row.id));
}

/** Of these outbox ids, the ones whose row is still there with its text (their files must stay). */
export async function mailIdsWithText(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db('mail_outbox')
    .whereIn('id', ids)
    .whereRaw(`(recipient <> '' OR subject <> '' OR body <> '')`)
    .select<Array<{ id: string }>>('id');
  return new Set(rows.map((row) => String(row.id)));
}
