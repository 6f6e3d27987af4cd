import type { Database } from '../db/connection.js';

export interface RateLimitCount {
  /** Events counted for this key in its current window, this one included. */
  points: number;
  /** When the window ends, in epoch milliseconds. */
  expiresAtMs: number;
}

/**
 * Counts one event against `key` in a fixed window of `durationMs`, opening
 * a new window when the last one has ended. One statement, so two instances
 * counting at once both see each other; run on a transaction, the count
 * stands or falls with the rest of it.
 */
export async function countRateLimitEvent(
  db: Database,
  key: string,
  durationMs: number,
  nowMs: number,
): Promise<RateLimitCount> {
  const result = await db.raw<{ rows: { points: number; expire: string }[] }>(
    `INSERT INTO rate_limits (key, points, expire) VALUES (:key, 1, :expire)
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= :now THEN 1 ELSE rate_limits.points + 1 END,
       expire = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= :now THEN EXCLUDED.expire ELSE rate_limits.expire END
     RETURNING points, expire`,
    { key, expire: nowMs + durationMs, now: nowMs },
  );
  const row = result.rows[0]!;
  return { points: row.points, expiresAtMs: Number(row.expire) };
}
