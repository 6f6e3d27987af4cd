import type { Request } from 'express';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import type { FloodControl } from '../comments/index.js';
import type { HeldMailBudget } from '../mail/index.js';
import type { ChangeFollowedMemo, PageCache } from './page-cache/index.js';
import type { LoginThrottle } from '../admin-auth/index.js';

/** What every handler may use; set once by createApp. */
export interface AppContext {
  config: Config;
  db: Database;
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
