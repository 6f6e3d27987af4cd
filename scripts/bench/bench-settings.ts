import type { Database } from '../../src/platform/db/connection.js';
import { loadDiscussionSettings, saveDiscussionSettings } from '../../src/settings/settings-queries.js';
import type { DiscussionSettings } from '../../src/settings/discussion-settings.js';
import { BENCH_EMAIL_DOMAIN } from './comments.js';

/**
 * Discussion settings changed for a row, stored the way the admin settings
 * page stores them (so every app instance applies them at once), and put
 * back afterwards. The returned step restores what was there before; it is
 * safe to call more than once.
 */
export async function changeDiscussionSettings(db: Database, change: Partial<DiscussionSettings>): Promise<() => Promise<void>> {
  const stored = await db('settings').where({ key: 'discussion' }).first<{ value: unknown } | undefined>();
  const before = await loadDiscussionSettings(db);
  await saveDiscussionSettings(db, { ...before, ...change }, null);
  let restored = false;
  return async () => {
    if (restored) return;
    restored = true;
    if (stored) await saveDiscussionSettings(db, before, null);
    else await db('settings').where({ key: 'discussion' }).delete();
  };
}

/**
 * Held comments mail the moderators (one mail each, by default). During the
 * bench that mail goes to a reserved domain, and is removed afterwards, so
 * that against a real DATABASE_URL no real moderator is ever mailed.
 */
export const BENCH_MODERATOR_EMAIL = `moderation@${BENCH_EMAIL_DOMAIN}`;

/** Where the bench's single commenter posts from (behind TRUST_PROXY): an address reserved for documentation. */
export const BENCH_COMMENTER_ADDRESS = '192.0.2.1';

/** The mail and the flood limiter's entries the bench's commenters left behind (reserved domain and address). */
export async function removeBenchTraces(db: Database): Promise<void> {
  await db('mail_outbox').where('recipient', 'like', `%@${BENCH_EMAIL_DOMAIN}`).delete();
  await db('rate_limits')
    .where('key', 'like', `flood:email:%@${BENCH_EMAIL_DOMAIN}`)
    .orWhere('key', `flood:ip:${BENCH_COMMENTER_ADDRESS}`)
    .delete();
}
