import type { Knex } from 'knex';
import type { Database } from '../platform/db/connection.js';
import { countRateLimitEvent, type RateLimitCount } from '../platform/db/rate-limits.js';
import type { ErasureMode, ErasureReport, RequestKind } from './privacy-requests.js';

/** Privacy requests: one row per export or erasure asked for, stored with the SHA-256 of its link's token only. */

export interface PrivacyRequestRow {
  id: string;
  /** Null once the address was erased. */
  email: string | null;
  kind: RequestKind;
  mode: ErasureMode | null;
  expires_at: Date;
  requested_by: string | null;
  confirmed_at: Date | null;
  confirmed_by: string | null;
  confirm_reason: string | null;
  completed_at: Date | null;
  completed_by: string | null;
  report: ErasureReport | null;
  created_at: Date;
}

export interface ListedRequest extends PrivacyRequestRow {
  requested_by_name: string | null;
  confirmed_by_name: string | null;
  completed_by_name: string | null;
}

const COLUMNS = [
  'id',
  'email',
  'kind',
  'mode',
  'expires_at',
  'requested_by',
  'confirmed_at',
  'confirmed_by',
  'confirm_reason',
  'completed_at',
  'completed_by',
  'report',
  'created_at',
];

export async function insertRequest(
  db: Database,
  request: { email: string; kind: RequestKind; tokenHash: Buffer; expiresAt: Date; requestedBy: string | null; at: Date },
): Promise<string> {
  const [row] = await db('privacy_requests')
    .insert({
      email: request.email,
      kind: request.kind,
      token_hash: request.tokenHash,
      expires_at: request.expiresAt,
      requested_by: request.requestedBy,
      created_at: request.at,
    })
    .returning<Array<{ id: string }>>('id');
  return String(row!.id);
}

export async function findRequest(db: Database, id: string): Promise<PrivacyRequestRow | null> {
  return (await db('privacy_requests').where({ id }).first<PrivacyRequestRow | undefined>(COLUMNS)) ?? null;
}

/** The request a link stands for, whatever its state (to say why a link no longer works). */
export async function findRequestByToken(db: Database, tokenHash: Buffer): Promise<PrivacyRequestRow | null> {
  return (await db('privacy_requests').where({ token_hash: tokenHash }).first<PrivacyRequestRow | undefined>(COLUMNS)) ?? null;
}

/** Confirms by the link, once: of two requests with one link only one gets it. Null: unknown, used or expired. */
export async function confirmByToken(db: Database, tokenHash: Buffer, now: Date): Promise<PrivacyRequestRow | null> {
  const [row] = await db('privacy_requests')
    .where({ token_hash: tokenHash })
    .whereNull('confirmed_at')
    .whereNull('completed_at')
    .where('expires_at', '>', now)
    .update({ confirmed_at: now })
    .returning<PrivacyRequestRow[]>(COLUMNS);
  return row ?? null;
}

/** An administrator confirms for the person, with the reason; false when the request is no longer waiting. */
export async function confirmByAdministrator(db: Database, id: string, adminId: string, reason: string, now: Date): Promise<boolean> {
  const updated = await db('privacy_requests')
    .where({ id })
    .whereNull('confirmed_at')
    .whereNull('completed_at')
    .whereNotNull('email')
    .update({ confirmed_at: now, confirmed_by: adminId, confirm_reason: reason });
  return updated > 0;
}

/** The newest confirmed request of this kind for this address that is not done yet. */
export async function findConfirmedRequest(db: Database, email: string, kind: RequestKind): Promise<PrivacyRequestRow | null> {
  const row = await db('privacy_requests')
    .whereRaw('lower(email) = lower(?)', [email])
    .where({ kind })
    .whereNotNull('confirmed_at')
    .whereNull('completed_at')
    .orderBy('id', 'desc')
    .first<PrivacyRequestRow | undefined>(COLUMNS);
  return row ?? null;
}

/** A request of this kind for this address still waiting for its confirmation at `now`. */
export async function findWaitingRequest(db: Database, email: string, kind: RequestKind, now: Date): Promise<PrivacyRequestRow | null> {
  const row = await db('privacy_requests')
    .whereRaw('lower(email) = lower(?)', [email])
    .where({ kind })
    .whereNull('confirmed_at')
    .whereNull('completed_at')
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .first<PrivacyRequestRow | undefined>(COLUMNS);
  return row ?? null;
}

/** Marks an export delivered the first time it is downloaded; it stays downloadable. */
export async function markExportDelivered(db: Database, id: string, adminId: string, now: Date): Promise<void> {
  await db('privacy_requests').where({ id, kind: 'export' }).whereNull('completed_at').update({ completed_at: now, completed_by: adminId });
}

/** The requests of one kind, newest first, with the names of the administrators involved. */
export async function listRequests(db: Database, kind: RequestKind, limit = 100): Promise<ListedRequest[]> {
  return db('privacy_requests as r')
    .leftJoin('users as requester', 'requester.id', 'r.requested_by')
    .leftJoin('users as confirmer', 'confirmer.id', 'r.confirmed_by')
    .leftJoin('users as completer', 'completer.id', 'r.completed_by')
    .select<ListedRequest[]>(
      ...COLUMNS.map((column) => `r.${column}`),
      'requester.display_name AS requested_by_name',
      'confirmer.display_name AS confirmed_by_name',
      'completer.display_name AS completed_by_name',
    )
    .where('r.kind', kind)
    .orderBy([
      { column: 'r.created_at', order: 'desc' },
      { column: 'r.id', order: 'desc' },
    ])
    .limit(limit);
}

/** Whether the site keeps anything about this address: a comment, a subscription record or a mail to it. */
export async function addressIsKnown(db: Database, email: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ known: boolean }> }>(
    `SELECT EXISTS (SELECT 1 FROM comments WHERE lower(author_email) = lower(:email))
         OR EXISTS (SELECT 1 FROM mail_unsubscribes WHERE lower(email) = lower(:email))
         OR EXISTS (SELECT 1 FROM conversation_unsubscribes WHERE lower(email) = lower(:email))
         OR EXISTS (SELECT 1 FROM mail_outbox WHERE lower(recipient) = lower(:email)) AS known`,
    { email },
  );
  return rows[0]?.known ?? false;
}

/** Counts one event against each key in a fixed window (shared by every instance). */
export async function countRequestAttempt(
  db: Database,
  keys: readonly string[],
  durationMs: number,
  nowMs: number,
): Promise<RateLimitCount[]> {
  return countRateLimitEvent(db, keys, durationMs, nowMs);
}

/** In an erasure: the address leaves every request that named it; the erasure's own row records who ran it, how, and what changed. */
export async function clearRequestsOf(
  trx: Knex.Transaction,
  email: string,
  completed: { id: string; adminId: string; mode: ErasureMode; at: Date },
  report: ErasureReport,
  scrub: (text: string) => string,
): Promise<number> {
  const named = await trx('privacy_requests')
    .whereRaw('lower(email) = lower(?)', [email])
    .select<Array<{ id: string; confirm_reason: string | null }>>('id', 'confirm_reason')
    .orderBy('id')
    .forUpdate();
  for (const row of named) {
    await trx('privacy_requests')
      .where({ id: row.id })
      .update({
        email: null,
        token_hash: null,
        confirm_reason: row.confirm_reason === null ? null : scrub(row.confirm_reason),
        // A request of that address still open has nothing left to act on.
        completed_at: trx.raw('coalesce(completed_at, ?)', [completed.at]),
      });
  }
  const requestsCleared = named.length;
  await trx('privacy_requests')
    .where({ id: completed.id })
    .update({
      completed_at: completed.at,
      completed_by: completed.adminId,
      mode: completed.mode,
      report: JSON.stringify({ ...report, requestsCleared }),
    });
  return requestsCleared;
}
