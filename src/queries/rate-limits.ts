import type { Database } from '../db/connection.js';

export interface RateLimitCount {
  key: string;
  /** Events counted for this key in its current window, this one included. */
  points: number;
  /** When the window ends, in epoch milliseconds. */
  expiresAtMs: number;
}

/**
 * Counts one event against each of `keys` (all different) in a fixed window
 * of `durationMs`, opening a new window for a key whose last one has ended.
 * One statement, so two instances counting at once both see each other;
 * run on a transaction, the counts stand or fall with the rest of it.
 */
export async function countRateLimitEvents(
  db: Database,
  keys: readonly string[],
  durationMs: number,
  nowMs: number,
): Promise<RateLimitCount[]> {
  if (keys.length === 0) return [];
  const rows = keys.map(() => '(?, 1, ?)').join(', ');
  const result = await db.raw<{ rows: { key: string; points: number; expire: string }[] }>(
    `INSERT INTO rate_limits (key, points, expire) VALUES ${rows}
     ON CONFLICT (key) DO UPDATE SET
       points = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN 1 ELSE rate_limits.points + 1 END,
       expire = CASE WHEN rate_limits.expire IS NULL OR rate_limits.expire <= ? THEN EXCLUDED.expire ELSE rate_limits.expire END
     RETURNING key, points, expire`,
    [...keys.flatMap((key) => [key, nowMs + durationMs]), nowMs, nowMs],
  );
  return result.rows.map((row) => ({ key: row.key, points: row.points, expiresAtMs: Number(row.expire) }));
}
