import { migrationSource } from '../../migrations/index.js';
import type { Database } from './connection.js';

/** Applies pending migrations, saying which as it goes. */
export async function migrateToLatest(db: Database, log: (message: string) => void = () => {}) {
  const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, string[]];
  if (pending.length === 0) {
    log('Database schema is up to date.');
    return [];
  }
  log(`Applying ${pending.length} migration(s)…`);
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  applied.forEach((name, index) => log(`  [${index + 1}/${applied.length}] ${name}`));
  return applied;
}
