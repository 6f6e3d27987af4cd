import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/connection.js';

export const FLOOD_INTERVAL_SECONDS = 15;

export interface FloodControl {
  /**
   * Counts one comment for this IP and this email. Returns 0 when it may go
   * ahead, else the seconds until it may: the store is PostgreSQL, so the
   * interval holds across every app instance.
   */
  take(ip: string | null, email: string): Promise<number>;
}

export function createFloodControl(db: Database): FloodControl {
  const limiter = new RateLimiterPostgres({
    storeClient: db,
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: 'flood',
    points: 1,
    duration: FLOOD_INTERVAL_SECONDS,
  });
  const waitFor = async (key: string) => {
    try {
      await limiter.consume(key);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw rejection;
    }
  };
  return {
    async take(ip, email) {
      const waits = await Promise.all([
        ip ? waitFor(`ip:${ip}`) : Promise.resolve(0),
        // No email (when names and emails are optional) is no identity to limit by.
        email.trim() ? waitFor(`email:${email.trim().toLowerCase()}`) : Promise.resolve(0),
      ]);
      return Math.max(...waits);
    },
  };
}
