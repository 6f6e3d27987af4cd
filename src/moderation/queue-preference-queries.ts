import type { Database } from '../platform/db/connection.js';

/** One account's moderation-queue screen options (issue 15: like WordPress's Screen Options). */

export const QUEUE_DENSITIES = ['comfortable', 'compact'] as const;
export type QueueDensity = (typeof QUEUE_DENSITIES)[number];

export interface QueuePreferences {
  shortcutsEnabled: boolean;
  perPage: number;
  density: QueueDensity;
}

/** What an account that never saved its options gets. */
export const DEFAULT_QUEUE_PREFERENCES: QueuePreferences = { shortcutsEnabled: true, perPage: 20, density: 'comfortable' };

export async function findQueuePreferences(db: Database, userId: string): Promise<QueuePreferences> {
  const row = await db('account_queue_preferences')
    .select('shortcuts_enabled', 'per_page', 'density')
    .where({ user_id: userId })
    .first<{ shortcuts_enabled: boolean; per_page: number; density: QueueDensity } | undefined>();
  return row ? { shortcutsEnabled: row.shortcuts_enabled, perPage: row.per_page, density: row.density } : { ...DEFAULT_QUEUE_PREFERENCES };
}

export async function saveQueuePreferences(db: Database, userId: string, preferences: QueuePreferences, at: Date): Promise<void> {
  await db('account_queue_preferences')
    .insert({
      user_id: userId,
      shortcuts_enabled: preferences.shortcutsEnabled,
      per_page: preferences.perPage,
      density: preferences.density,
      updated_at: at,
    })
    .onConflict('user_id')
    .merge();
}
