import { after, afterEach, before, beforeEach } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectDatabase, type Database } from '../../../src/platform/db/connection.js';
import { createAdmin } from '../../../src/admin-auth/admins.js';
import { resetDatabase } from '../../helpers/database.js';
import { launchChromium } from './browser.js';
import { ADMIN, startApp, type RunningApp } from './server.js';

export interface VisitorOptions {
  javaScript?: boolean;
  viewport?: { width: number; height: number };
}

export interface Site {
  readonly baseUrl: string;
  /** The same database the app uses, to set up rows and read them back. */
  readonly db: Database;
  /** A new person at the site: their own cookies and storage, JavaScript on unless told. */
  visitor(options?: VisitorOptions): Promise<Page>;
}

/**
 * One running app and one Chromium per test file. Before each test the tables
 * are emptied (the app migrated them at start), the demo article reloaded and
 * the admin created again; each test's browser contexts are closed after it.
 */
export function useSite(): Site {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let db: Database | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    app = await startApp();
    browser = await launchChromium();
    db = connectDatabase(process.env.DATABASE_URL!, 2);
  });
  beforeEach(async () => {
    await resetDatabase(db!);
    await createAdmin(db!, ADMIN.username, ADMIN.password);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  after(async () => {
    await browser?.close();
    await db?.destroy();
    await app?.stop();
  });

  return {
    get baseUrl() {
      return app!.baseUrl;
    },
    get db() {
      return db!;
    },
    async visitor(options = {}) {
      const context = await browser!.newContext({
        baseURL: app!.baseUrl,
        javaScriptEnabled: options.javaScript ?? true,
        viewport: options.viewport ?? { width: 1280, height: 800 },
        locale: 'en-GB',
        timezoneId: 'UTC',
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context.newPage();
    },
  };
}
