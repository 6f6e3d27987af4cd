import type pg from 'pg';
import type { Database } from '../platform/db/connection.js';
import type { Role } from './user-queries.js';

/**
 * Admin sessions, in the table connect-pg-simple keeps (the session pool, not
 * knex). A session is read together with the admin it signs in: requireAdmin
 * needs both on every admin request, and one round trip is half the wait.
 */

export interface SessionAdminRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  status: 'active' | 'disabled';
}

export interface StoredSession {
  /** The session as stored: JSON, parsed by pg (or text when it could not be). */
  sess: unknown;
  /** The admin of its `userId`; null when it has none, or that account is gone. */
  admin: SessionAdminRow | null;
}

/**
 * A session that has not expired, with its admin. The join compares ids as
 * text so that a session holding anything but a user id reads as having no
 * admin rather than failing; users holds a handful of admins.
 */
export async function findSessionWithAdmin(pool: pg.Pool, sid: string, nowSeconds: number): Promise<StoredSession | null> {
  const { rows } = await pool.query<{
    sess: unknown;
    user_id: string | null;
    username: string | null;
    display_name: string | null;
    role: Role | null;
    status: 'active' | 'disabled' | null;
  }>(
    `SELECT s.sess, u.id AS user_id, u.username, u.display_name, u.role, u.status
       FROM session s
       LEFT JOIN users u ON u.id::text = s.sess->>'userId'
      WHERE s.sid = $1 AND s.expire >= to_timestamp($2)`,
    [sid, nowSeconds],
  );
  const row = rows[0];
  if (!row) return null;
  const admin =
    row.user_id === null
      ? null
      : { id: String(row.user_id), username: row.username!, display_name: row.display_name!, role: row.role!, status: row.status! };
  return { sess: row.sess, admin };
}

/** Ends every session of an admin but `keepSid` (theirs, after a password change). */
export async function deleteOtherSessions(db: Database, userId: string, keepSid: string): Promise<void> {
  await db('session').whereRaw(`sess->>'userId' = ?`, [userId]).whereNot({ sid: keepSid }).delete();
}

/** A live session of an admin, as the account page lists it. */
export interface ActiveSessionRow {
  sid: string;
  sess: { userAgent?: string; ip?: string; lastSeenAt?: number; signedInAt?: number };
}

/** Every session of an admin that has not expired, last seen first. */
export async function listActiveSessions(db: Database, userId: string, now: Date): Promise<ActiveSessionRow[]> {
  const rows = await db('session')
    .select<Array<{ sid: string; sess: unknown }>>('sid', 'sess')
    .whereRaw(`sess->>'userId' = ?`, [userId])
    .where('expire', '>=', now);
  // Sorted here, not in SQL: a session's JSON is whatever was stored, and a cast there could fail the page.
  return rows
    .map((row) => ({ sid: row.sid, sess: (typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as ActiveSessionRow['sess'] }))
    .sort((a, b) => (Number(b.sess.lastSeenAt) || 0) - (Number(a.sess.lastSeenAt) || 0));
}

/** Ends every session of an admin (a password reset: none of them is the person resetting). */
export async function deleteAllSessions(db: Database, userId: string): Promise<number> {
  return db('session').whereRaw(`sess->>'userId' = ?`, [userId]).delete();
}
