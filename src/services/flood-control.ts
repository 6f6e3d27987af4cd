import type { Database } from '../db/connection.js';
import { countRateLimitEvents } from '../queries/rate-limits.js';

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
  return {
    async take(db, ip, email) {
      const address = email.trim().toLowerCase();
      const keys = [
        ...(ip ? [`flood:ip:${ip}`] : []),
        // No email (when names and emails are optional) is no identity to limit by.
        ...(address ? [`flood:email:${address}`] : []),
      ];
      const nowMs = now();
      const counts = await countRateLimitEvents(db, keys, intervalMs, nowMs);
      const waits = counts.map(({ points, expiresAtMs }) => (points <= 1 ? 0 : Math.max(1, Math.ceil((expiresAtMs - nowMs) / 1000))));
      return Math.max(0, ...waits);
    },
  };
}
