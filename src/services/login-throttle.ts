import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/connection.js';

export const CONSECUTIVE_FAILURES_ALLOWED = 10;
export const HOURLY_FAILURES_PER_ACCOUNT = 100;
export const LOCKOUT_SECONDS = 15 * 60;

export interface LoginThrottle {
  /** Seconds to wait before trying again, or 0 when a try is allowed. */
  secondsToWait(username: string, ip: string): Promise<number>;
  recordFailure(username: string, ip: string): Promise<void>;
  recordSuccess(username: string, ip: string): Promise<void>;
}

/** Failed sign-ins counted in PostgreSQL, so the limits hold across app instances. */
export function createLoginThrottle(db: Database): LoginThrottle {
  const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
  const byAccountAndIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login:user-ip',
    points: CONSECUTIVE_FAILURES_ALLOWED,
    duration: 60 * 60,
  });
  const byAccount = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login:user',
    points: HOURLY_FAILURES_PER_ACCOUNT,
    duration: 60 * 60,
  });
  const keys = (username: string, ip: string) => {
    const account = username.trim().toLowerCase().slice(0, 100);
    return { accountAndIp: `${account}|${ip}`, account };
  };
  const wait = (result: RateLimiterRes | null, limit: number) =>
    result && result.consumedPoints >= limit ? Math.max(1, Math.ceil(result.msBeforeNext / 1000)) : 0;
  const consume = (limiter: RateLimiterPostgres, key: string) =>
    limiter.consume(key).then(
      () => undefined,
      (rejection: unknown) => {
        if (rejection instanceof Error) throw rejection;
      },
    );

  return {
    async secondsToWait(username, ip) {
      const key = keys(username, ip);
      const [pair, account] = await Promise.all([byAccountAndIp.get(key.accountAndIp), byAccount.get(key.account)]);
      return Math.max(wait(pair, CONSECUTIVE_FAILURES_ALLOWED), wait(account, HOURLY_FAILURES_PER_ACCOUNT));
    },
    async recordFailure(username, ip) {
      const key = keys(username, ip);
      await Promise.all([consume(byAccountAndIp, key.accountAndIp), consume(byAccount, key.account)]);
      // The tenth failure in a row starts the lock-out, not the eleventh attempt.
      const pair = await byAccountAndIp.get(key.accountAndIp);
      if (pair && pair.consumedPoints >= CONSECUTIVE_FAILURES_ALLOWED) {
        await byAccountAndIp.block(key.accountAndIp, LOCKOUT_SECONDS);
      }
    },
    async recordSuccess(username, ip) {
      await byAccountAndIp.delete(keys(username, ip).accountAndIp);
    },
  };
}
