import type { Knex } from 'knex';
import type pg from 'pg';
import type { SqlPart } from './connection.js';

/** One event to count against each of `keys` in a window of `durationMs`, of which `allowed` may count. */
export interface RateLimitCounting {
  keys: readonly string[];
  durationMs: number;
  nowMs: number;
  /** Events each key may count in its window; beyond that, what was counted for does not happen. */
  allowed: number;
}

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
export function rateLimitCountingSql(keys: readonly string[], durationMs: number, nowMs: number): SqlPart {
  return {
    // One text for any number of keys (bound as one JSON array), so the statement it is part of can be prepared once.
    sql: `INSERT INTO rate_limits (key, points, expire)
     SELECT key, 1, ? FROM json_array_elements_text(?::json) AS key
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN 1 ELSE rate_limits.points + 1 END,
       expire = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN EXCLUDED.expire ELSE rate_limits.expire END
     RETURNING key, points, expire`,
    bindings: [nowMs + durationMs, JSON.stringify(keys), nowMs, nowMs],
  };
}

/**
 * Read-only: each of `keys`' count as counting one more event at `nowMs`
 * would make it, for keys with an open window (a key without one would
 * count 1). A JSON array of { key, points, expire }, as a value in a
 * larger SELECT.
 */
export function rateLimitPeekSql(keys: readonly string[], nowMs: number): SqlPart {
  return {
    sql: `(SELECT coalesce(json_agg(json_build_object('key', key, 'points', points + 1, 'expire', expire)), '[]')
        FROM rate_limits WHERE key = ANY (ARRAY(SELECT json_array_elements_text(?::json))) AND expire > ?)`,
    bindings: [JSON.stringify(keys), nowMs],
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
