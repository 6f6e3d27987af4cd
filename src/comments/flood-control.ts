import type { RateLimitCount, RateLimitCounting } from '../platform/db/rate-limits.js';

export const FLOOD_INTERVAL_SECONDS = 15;
/** Comments one IP or one email may post in an interval. */
const ALLOWED_PER_INTERVAL = 1;

export interface FloodControl {
  /**
   * The counters one comment counts against, by IP and by email. They live
   * in PostgreSQL, so the interval holds across every app instance, and are
   * counted in the statement that stores the comment (posting.ts).
   */
  countingFor(ip: string | null, email: string): RateLimitCounting;
  /** Seconds until the comment so counted may go ahead; 0 when it may now. */
  waitAfter(counts: readonly RateLimitCount[], nowMs: number): number;
}

export function createFloodControl(now: () => number = Date.now): FloodControl {
  const durationMs = FLOOD_INTERVAL_SECONDS * 1000;
  return {
    countingFor(ip, email) {
      const address = email.trim().toLowerCase();
      const keys = [
        ...(ip ? [`flood:ip:${ip}`] : []),
        // No email (when names and emails are optional) is no identity to limit by.
        ...(address ? [`flood:email:${address}`] : []),
      ];
      return { keys, durationMs, nowMs: now(), allowed: ALLOWED_PER_INTERVAL };
    },
    waitAfter(counts, nowMs) {
      const waits = counts.map(({ points, expiresAtMs }) =>
        points <= ALLOWED_PER_INTERVAL ? 0 : Math.max(1, Math.ceil((expiresAtMs - nowMs) / 1000)),
      );
      return Math.max(0, ...waits);
    },
  };
}
