import type { Database } from '../db/connection.js';
import { countRateLimitEvent } from '../queries/rate-limits.js';

export const FLOOD_INTERVAL_SECONDS = 15;

export interface FloodControl {
  /**
   * Counts one comment for this IP and this email. Returns 0 when it may go
   * ahead, else the seconds until it may. The counts live in PostgreSQL, so
   * the interval holds across every app instance; `db` is the transaction
   * storing the comment, so a post that fails later is not counted, and a
   * post never waits for a second pooled connection while holding one.
   */
  take(db: Database, ip: string | null, email: string): Promise<number>;
}

export function createFloodControl(now: () => number = Date.now): FloodControl {
  const intervalMs = FLOOD_INTERVAL_SECONDS * 1000;
  const waitFor = async (db: Database, key: string) => {
    const nowMs = now();
    const { points, expiresAtMs } = await countRateLimitEvent(db, `flood:${key}`, intervalMs, nowMs);
    return points <= 1 ? 0 : Math.max(1, Math.ceil((expiresAtMs - nowMs) / 1000));
  };
  return {
    async take(db, ip, email) {
      // One after the other: both run on the same transaction's connection.
      const ipWait = ip ? await waitFor(db, `ip:${ip}`) : 0;
      // No email (when names and emails are optional) is no identity to limit by.
      const address = email.trim().toLowerCase();
      const emailWait = address ? await waitFor(db, `email:${address}`) : 0;
      return Math.max(ipWait, emailWait);
    },
  };
}
