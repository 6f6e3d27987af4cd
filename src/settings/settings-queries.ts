import type { Database } from '../platform/db/connection.js';
import { DEFAULT_DISCUSSION_SETTINGS, settingsFromStored, type DiscussionSettings } from './discussion-settings.js';

const DISCUSSION_KEY = 'discussion';

/** Read on every use, so a change made on any instance applies at once everywhere. */
export async function loadDiscussionSettings(db: Database): Promise<DiscussionSettings> {
  const row = await db('settings').select('value').where({ key: DISCUSSION_KEY }).first<{ value: unknown } | undefined>();
  if (!row || typeof row.value !== 'object' || row.value === null) return { ...DEFAULT_DISCUSSION_SETTINGS };
  return settingsFromStored(row.value as Record<string, unknown>);
}

export async function saveDiscussionSettings(db: Database, settings: DiscussionSettings, userId: string | null) {
  await db('settings')
    .insert({ key: DISCUSSION_KEY, value: JSON.stringify(settings), updated_by: userId, updated_at: db.fn.now() })
    .onConflict('key')
    .merge();
}
