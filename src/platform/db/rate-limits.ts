import type { Knex } from 'knex';
import type pg from 'pg';

export interface RateLimitCount {
  key: string;
  /** Events counted for this key in its current window, this one included. */
  points: number;
  /** When the window ends, in epoch milliseconds. */
  expiresAtMs: number;
}

/**
 * Counts one event against each of `keys` (all different) in a fixed window
 * of `durationMs`, opening a new window for a key whose last one has ended;
 * returns each key's count. One statement, meant as part of a larger one
 * (WITH … AS), so two instances counting at once both see each other and
 * the count stands or falls with what it guards.
 */
export function rateLimitCountingSql(
  keys: readonly string[],
  durationMs: number,
  nowMs: number,
): { sql: string; bindings: Array<string | number> } {
  const rows = keys.map(() => '(?, 1, ?)').join(', ');
  return {
    sql: `INSERT INTO rate_limits (key, points, expire) VALUES ${rows}
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN 1 ELSE rate_limits.points + 1 END,
       expire = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN EXCLUDED.expire ELSE rate_limits.expire END
     RETURNING key, points, expire`,
    bindings: [...keys.flatMap((key) => [key, nowMs + durationMs]), nowMs, nowMs],
  };
}

export const rateLimitCountOf = (row: { key: string; points: number; expire: string | number }): RateLimitCount => ({
  key: row.key,
  points: row.points,
  expiresAtMs: Number(row.expire),
});

/** Counts one event against each of `keys` on its own (rateLimitCountingSql as a statement); each key's count. */
export async function countRateLimitEvent(db: Knex, keys: readonly string[], durationMs: number, nowMs: number): Promise<RateLimitCount[]> {
  if (keys.length === 0) return [];
  const { sql, bindings } = rateLimitCountingSql(keys, durationMs, nowMs);
  const result = await db.raw<{ rows: Array<{ key: string; points: number; expire: string }> }>(sql, bindings);
  return result.rows.map(rateLimitCountOf);
}

/**
 * Deletes the counts whose window has ended: to every limiter an ended
 * window reads as no count at all, so the row only takes space. Run with
 * the session sweep (admin-auth/admin-session.ts), the other table of
 * short-lived rows.
 */
export async function deleteExpiredRateLimits(pool: pg.Pool, nowMs: number): Promise<number> {
  const result = await pool.query('DELETE FROM rate_limits WHERE expire < $1', [nowMs]);
  return result.rowCount ?? 0;
}
