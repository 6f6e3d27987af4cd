import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { runCommand } from './lib/run-command.js';

/** npm run migrate — applies pending migrations to DATABASE_URL (or the embedded database). */
const say = (message: string) => process.stdout.write(`${message}\n`);

runCommand('Migration failed', async () => {
  const database = await openDatabase(loadConfig(), say);
  try {
    await migrateToLatest(database.db, say);
  } finally {
    await database.close();
  }
});
