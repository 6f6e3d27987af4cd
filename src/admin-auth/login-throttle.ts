import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../platform/db/connection.js';
import { accountKey } from './account-names.js';

export const CONSECUTIVE_FAILURES_ALLOWED = 10;
export const HOURLY_FAILURES_PER_ACCOUNT = 100;
export const HOURLY_FAILURES_PER_ADDRESS = 50;
export const LOCKOUT_SECONDS = 15 * 60;
const HOUR_SECONDS = 60 * 60;

/** The throttle key of every name no account can have: they share one count. */
const NO_SUCH_ACCOUNT = '?';

export interface LoginThrottle {
  /** Seconds to wait before trying again, or 0 when a try is allowed. */
  secondsToWait(username: string, ip: string): Promise<number>;
  recordFailure(username: string, ip: string): Promise<void>;
  recordSuccess(username: string, ip: string): Promise<void>;
}

/**
 * Failed sign-ins counted in PostgreSQL, so the limits hold across app
 * instances. Three counts, each answering one attack:
 * - an account from one address: ten failures in a row lock that pair out
 *   for 15 minutes (guessing one password);
 * - an address, whatever the usernames: a cap per hour, checked before any
 *   password is, so one address cannot buy unbounded argon2 work;
 * - an account from everywhere: past its hourly limit the account is under
 *   attack, and only addresses with no failure this hour may try it. A hard
 *   lock here would let anyone lock the admin out; this way the botnet's
 *   addresses get one guess an hour each and the admin still signs in.
 */
export function createLoginThrottle(db: Database): LoginThrottle {
  const common = { storeClient: db, storeType: 'knex', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false };
  const byAccountAndIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login:user-ip',
    points: CONSECUTIVE_FAILURES_ALLOWED,
    duration: HOUR_SECONDS,
  });
  const byAccount = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login:user',
    points: HOURLY_FAILURES_PER_ACCOUNT,
    duration: HOUR_SECONDS,
  });
  const byAddress = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login:ip',
    points: HOURLY_FAILURES_PER_ADDRESS,
    duration: HOUR_SECONDS,
  });
  const keys = (username: string, ip: string) => {
    const account = accountKey(username) ?? NO_SUCH_ACCOUNT;
    return { accountAndIp: `${account}|${ip}`, account, address: ip };
  };
  const secondsLeft = (result: RateLimiterRes) => Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  const wait = (result: RateLimiterRes | null, limit: number) => (result && result.consumedPoints >= limit ? secondsLeft(result) : 0);
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
      const [pair, account, address] = await Promise.all([
        byAccountAndIp.get(key.accountAndIp),
        byAccount.get(key.account),
        byAddress.get(key.address),
      ]);
      const underAttack = account !== null && account.consumedPoints >= HOURLY_FAILURES_PER_ACCOUNT;
      const addressHasFailed = address !== null && address.consumedPoints > 0;
      return Math.max(
        wait(pair, CONSECUTIVE_FAILURES_ALLOWED),
        wait(address, HOURLY_FAILURES_PER_ADDRESS),
        underAttack && addressHasFailed ? secondsLeft(account) : 0,
      );
    },
    async recordFailure(username, ip) {
      const key = keys(username, ip);
      await Promise.all([consume(byAccountAndIp, key.accountAndIp), consume(byAccount, key.account), consume(byAddress, key.address)]);
      // The tenth failure in a row starts the lock-out, not the eleventh attempt.
      const pair = await byAccountAndIp.get(key.accountAndIp);
      if (pair && pair.consumedPoints >= CONSECUTIVE_FAILURES_ALLOWED) {
        await byAccountAndIp.block(key.accountAndIp, LOCKOUT_SECONDS);
      }
    },
    async recordSuccess(username, ip) {
      // Only the pair starts again: the address's count across usernames stands for its hour.
      await byAccountAndIp.delete(keys(username, ip).accountAndIp);
    },
  };
}
