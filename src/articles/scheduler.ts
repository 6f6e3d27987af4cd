import type { Database } from '../platform/db/connection.js';
import type { Logger } from '../platform/logger.js';
import { publishDueArticles } from './article-queries.js';

/** Often enough that a scheduled article is public well within a minute of its time. */
export const SCHEDULER_INTERVAL_MS = 15_000;

/**
 * Publishes scheduled articles whose time has come: once at start, then
 * every `intervalMs`; one per app process. Every instance runs it and that is
 * safe: the UPDATE only moves rows still scheduled, so a second instance
 * finds nothing left to do, and its trigger tells every instance's page
 * cache about each article it publishes.
 */
export function startScheduler(db: Database, logger: Logger, intervalMs = SCHEDULER_INTERVAL_MS) {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= publishDueArticles(db)
      .then((ids) => {
        if (ids.length > 0) logger.info({ articleIds: ids }, 'published scheduled articles');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'scheduler could not reach the database'))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
