import type { Request } from 'express';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import type { ChangeFollowedMemo } from './page-cache/change-followed-memo.js';
import type { FloodControl } from '../comments/flood-control.js';
import type { HeldMailBudget } from '../mail/held-mail-budget.js';
import type { PageCache } from './page-cache/page-cache.js';
import type { LoginThrottle } from '../admin-auth/login-throttle.js';

/** What every handler may use; set once by createApp. */
export interface AppContext {
  config: Config;
  db: Database;
  /** Where a comment post's two prepared statements run (a pool of its own in production). */
  postingDb: Database;
  cookieSecret: string;
  /** Milliseconds since the epoch; tests move it to check session expiry. */
  now: () => number;
  loginThrottle: LoginThrottle;
  flood: FloodControl;
  /** How many held comments this process still mails one by one this minute. */
  heldMailBudget: HeldMailBudget;
  pageCache: PageCache;
  /** The settings and articles a comment post reads, kept while the page-change listener hears every change. */
  memo: ChangeFollowedMemo;
}

export function contextOf(req: Request): AppContext {
  return req.app.locals.context as AppContext;
}
