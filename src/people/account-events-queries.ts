import type { Database } from '../platform/db/connection.js';
import { beyondCursor, cursorTime, type Cursor } from '../platform/db/keyset-page.js';
import type { AccountEventKind } from './account-events.js';

/** The account log's rows: written by recordAccountEvent, read a page at a time by the log. */

export interface AccountEventRow {
  id: string;
  kind: AccountEventKind;
  actor_id: string | null;
  actor_name: string | null;
  subject_id: string | null;
  subject_name: string | null;
  ip: string | null;
  detail: string | null;
  created_at: Date;
  /** The exact time, for the page's cursor. */
  cursor_time: string;
}

interface NewAccountEvent {
  kind: AccountEventKind;
  actorId: string | null;
  subjectId: string | null;
  ip: string | null;
  detail: string | null;
}

/** The names are copied from users as they are now, in the same statement, so a later rename or deletion leaves the log as it was. */
export async function insertAccountEvent(db: Database, event: NewAccountEvent): Promise<void> {
  await db.raw(
    `INSERT INTO account_events (kind, actor_id, actor_name, subject_id, subject_name, ip, detail)
     SELECT ?, a.id, a.username, s.id, s.username, ?::inet, ?
       FROM (SELECT 1) one
       LEFT JOIN users a ON a.id = ?
       LEFT JOIN users s ON s.id = ?`,
    [event.kind, validIp(event.ip), event.detail, event.actorId, event.subjectId],
  );
}

/** req.ip can carry an IPv4-mapped prefix or be missing; inet takes both forms, anything else is dropped rather than failing the event. */
function validIp(ip: string | null): string | null {
  if (!ip) return null;
  return /^[0-9a-fA-F:.]+$/.test(ip) ? ip : null;
}

export interface AccountEventPage {
  rows: AccountEventRow[];
  hasMore: boolean;
}

/** Newest first; `before` continues below the last row of the page shown. */
export async function listAccountEvents(db: Database, before: Cursor | null, limit: number): Promise<AccountEventPage> {
  const query = db('account_events')
    .select(
      'id',
      'kind',
      'actor_id',
      'actor_name',
      'subject_id',
      'subject_name',
      db.raw('host(ip) AS ip'),
      'detail',
      'created_at',
      db.raw(cursorTime('created_at')),
    )
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
  if (before) beyondCursor(query, 'account_events', before, '<');
  const rows = (await query) as AccountEventRow[];
  return { rows: rows.slice(0, limit).map((row) => ({ ...row, id: String(row.id) })), hasMore: rows.length > limit };
}
