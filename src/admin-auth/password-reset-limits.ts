import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Database } from '../platform/db/connection.js';
import { accountKey } from './account-names.js';

/**
 * How often reset mail may be asked for, counted in rate_limits like the
 * sign-in throttle (so across instances): per address, against someone
 * filling an inbox or probing names; per account, so one account gets a
 * handful of mails an hour whoever asks. Past the account's count the form
 * answers as always and sends nothing: the answer never says an account exists.
 */
export const RESET_REQUESTS_PER_ADDRESS_HOURLY = 10;
export const RESET_MAILS_PER_ACCOUNT_HOURLY = 3;

export interface ResetLimits {
  /** Counts a request from `ip`; the seconds to wait when it is over its limit, else 0. */
  takeAddress(ip: string): Promise<number>;
  /** Counts a mail to an account; false when it has had its share this hour. */
  takeAccount(username: string): Promise<boolean>;
}

const limitsOf = new WeakMap<Database, ResetLimits>();

export function resetLimits(db: Database): ResetLimits {
  const known = limitsOf.get(db);
  if (known) return known;
  const common = {
    storeClient: db,
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    duration: 60 * 60,
  };
  const byAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'reset:ip', points: RESET_REQUESTS_PER_ADDRESS_HOURLY });
  const byAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'reset:user', points: RESET_MAILS_PER_ACCOUNT_HOURLY });
  /** A limiter rejects with its state when over the limit, and with an Error when it failed. */
  const take = (limiter: RateLimiterPostgres, key: string) =>
    limiter.consume(key).then(
      () => 0,
      (rejection: unknown) => {
        if (rejection instanceof Error) throw rejection;
        return Math.max(1, Math.ceil((rejection as { msBeforeNext: number }).msBeforeNext / 1000));
      },
    );
  const limits: ResetLimits = {
    takeAddress: (ip) => take(byAddress, ip),
    takeAccount: async (username) => (await take(byAccount, accountKey(username) ?? username)) === 0,
  };
  limitsOf.set(db, limits);
  return limits;
}
