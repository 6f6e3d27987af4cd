import { ConfigError, loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';

/** npm run migrate — applies pending migrations to DATABASE_URL (or the embedded database). */
const say = (message: string) => process.stdout.write(`${message}\n`);
try {
  const config = loadConfig();
  const database = await openDatabase(config, say);
  try {
    await migrateToLatest(database.db, say);
  } finally {
    await database.close();
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? '' : 'Migration failed: '}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
