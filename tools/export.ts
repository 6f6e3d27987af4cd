import { ConfigError, loadConfig } from '../src/platform/config.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { openDatabase } from '../src/platform/db/open.js';
import { loadDiscussionSettings } from '../src/settings/settings-queries.js';
import { ExportAborted, writeWordpressExport } from '../src/moving/wordpress-export.js';
import { runCommand } from './run-command.js';

/**
 * npm run export -- wordpress > site.xml
 * Writes every article and comment as a WordPress export (WXR 1.2) to
 * standard output; progress goes to standard error when it is a terminal.
 */
const usage = 'Usage: npm run export -- wordpress > site.xml';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0] !== 'wordpress') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const database = await openDatabase(config, (message) => process.stderr.write(`${message}\n`));
  // A reader that goes away (`| head`) ends the export quietly.
  process.stdout.on('error', () => {});
  const showProgress = process.stderr.isTTY === true;
  try {
    await migrateToLatest(database.db);
    const { timeZone } = await loadDiscussionSettings(database.db);
    const started = Date.now();
    const written = await writeWordpressExport(
      database.db,
      process.stdout,
      { baseUrl: config.baseUrl, siteName: 'Broadsheet', timeZone, now: new Date() },
      showProgress
        ? ({ done, total }) =>
            process.stderr.write(`\rExporting: ${done}/${total ?? '?'} articles (${((Date.now() - started) / 1000).toFixed(1)} s)`)
        : undefined,
    );
    if (showProgress) process.stderr.write('\n');
    process.stderr.write(`Exported ${written.articles} articles and ${written.comments} comments. Media files are not included.\n`);
    return 0;
  } catch (error) {
    if (error instanceof ExportAborted) return 1;
    throw error;
  } finally {
    await database.close();
  }
}

runCommand('The export failed', main, [ConfigError]);
