import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/platform/config.js';
import { BackupError, openBackupTarget, restoreDatabase } from './backups/backups.js';
import { runCommand } from './run-command.js';

/**
 * npm run restore -- <file> — replaces the contents of DATABASE_URL (or of
 * the embedded database) with a backup made by npm run backup. It refuses,
 * changing nothing, while the app is running, for a file that is not a
 * Broadsheet backup, and for a database whose schema is newer than the
 * backup's. What it replaces is backed up first, so a restore can be undone.
 */
const say = (message: string) => process.stdout.write(`${message}\n`);
const usage = 'Usage: npm run restore -- <backup file>   (a file made by npm run backup; it replaces everything in the database)';

async function assertBackupFile(file: string): Promise<void> {
  const found = await stat(file).catch(() => null);
  if (!found) throw new BackupError(`There is no backup file at ${file}.`);
  if (!found.isFile()) throw new BackupError(`${file} is not a file.`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1 || !args[0] || args[0].startsWith('-')) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const file = path.resolve(args[0]);
  await assertBackupFile(file);
  const config = loadConfig();
  const target = await openBackupTarget(config, 'restore', say);
  try {
    const restored = await restoreDatabase(target.url, file, say, { backUpPreviousInto: path.join(config.dataDir, 'backups') });
    const { articles, comments, users, moderation_log: log } = restored.counts;
    say(`Restored in ${restored.seconds} s: ${articles} articles, ${comments} comments, ${users} users, ${log} moderation log entries.`);
    if (restored.previous) say(`What it replaced is in ${restored.previous.file}.`);
    say('Sessions are not kept in backups: everyone signs in again. Start the app as usual; it applies any newer migrations.');
    return 0;
  } finally {
    await target.close();
  }
}

runCommand('Restore failed', main, [BackupError]);
