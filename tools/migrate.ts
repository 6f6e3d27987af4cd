import { loadConfig } from '../src/platform/config.js';
import { connectForMigrations, migrateToLatest } from '../src/platform/db/migrate.js';
import { locateDatabase } from '../src/platform/db/open.js';
import { runCommand } from './run-command.js';

/** npm run migrate — applies pending migrations to DATABASE_URL (or the embedded database). */
const say = (message: string) => process.stdout.write(`${message}\n`);

runCommand('Migration failed', async () => {
  const location = await locateDatabase(loadConfig(), say);
  // The migration pool has no statement timeout: an index over a million comments takes a while.
  const db = connectForMigrations(location.url);
  try {
    await migrateToLatest(db, say);
  } finally {
    await db.destroy();
    await location.stop();
  }
});
