import type pg from 'pg';
import type { Database } from '../platform/db/connection.js';

/**
 * Admin sessions, in the table connect-pg-simple keeps (the session pool, not
 * knex). A session is read together with the admin it signs in: requireAdmin
 * needs both on every admin request, and one round trip is half the wait.
 */

export interface SessionAdminRow {
  id: string;
  username: string;
  display_name: string;
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
  const { rows } = await pool.query<{ sess: unknown; user_id: string | null; username: string | null; display_name: string | null }>(
    `SELECT s.sess, u.id AS user_id, u.username, u.display_name
       FROM session s
       LEFT JOIN users u ON u.id::text = s.sess->>'userId'
      WHERE s.sid = $1 AND s.expire >= to_timestamp($2)`,
    [sid, nowSeconds],
  );
  const row = rows[0];
  if (!row) return null;
  const admin = row.user_id === null ? null : { id: String(row.user_id), username: row.username!, display_name: row.display_name! };
  return { sess: row.sess, admin };
}

/** Ends every session of an admin but `keepSid` (theirs, after a password change). */
export async function deleteOtherSessions(db: Database, userId: string, keepSid: string): Promise<void> {
  await db('session').whereRaw(`sess->>'userId' = ?`, [userId]).whereNot({ sid: keepSid }).delete();
}
