import path from 'node:path';
import { loadConfig } from '../src/platform/config.js';
import { BackupError, backupDatabase, formatBytes, openBackupTarget } from './backups/backups.js';
import { runCommand } from './run-command.js';

/**
 * npm run backup — a pg_dump custom-format archive of DATABASE_URL (or of the
 * embedded database) in DATA_DIR/backups, named with the database and the
 * UTC time. Works while the app runs: pg_dump reads one consistent snapshot.
 */
const say = (message: string) => process.stdout.write(`${message}\n`);

async function main(): Promise<number> {
  if (process.argv.length > 2) {
    process.stderr.write('Usage: npm run backup   (no arguments; the file goes to DATA_DIR/backups)\n');
    return 2;
  }
  const config = loadConfig();
  const target = await openBackupTarget(config, 'backup', say);
  try {
    const backup = await backupDatabase(target.url, path.join(config.dataDir, 'backups'), say);
    say(`Backup written: ${backup.file} (${formatBytes(backup.bytes)}, ${backup.seconds} s)`);
    say(`Restore it with: npm run restore -- ${backup.file}`);
    return 0;
  } finally {
    await target.close();
  }
}

runCommand('Backup failed', main, [BackupError]);
